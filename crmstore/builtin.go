package crmstore

// This file holds the HubSpot-defined catalogue that a new store is seeded
// with: the standard objects, their default property groups and properties,
// the HUBSPOT_DEFINED association types and the default pipelines. It is pure
// data; the store copies it into the database on first open.

// builtinObject describes one HubSpot-defined object and its default catalogue.
type builtinObject struct {
	TypeID, Name, Singular, Plural string
	PrimaryDisplay                 string
	Required                       []string // required at create (HubSpot's documented rules)
	Searchable                     []string // properties searched by free-text query
	Groups                         []PropertyGroup
	Properties                     []Property // default properties (HubspotDefined: true)
}

// builtinAssociationType is one HUBSPOT_DEFINED association type.
type builtinAssociationType struct {
	TypeID     int64
	From, To   string // object names
	Label      string // "" = unlabeled; "Primary" for primary company types; "Parent Company"/"Child Company" for 13/14
	Primary    bool
	InverseID  int64
	MaxPerFrom int // how many records one From record may hold with this type; 0 = no limit
}

// builtinPipeline is a default pipeline created on first open.
type builtinPipeline struct {
	Object, ID, Label string
	Stages            []builtinStage
}

// builtinStage is one stage of a default pipeline; Metadata values are strings
// as in HubSpot's responses.
type builtinStage struct {
	ID, Label string
	Metadata  map[string]string
}

// builtinUniqueProperties names, per object, the property whose values the
// store keeps unique among live records (HubSpot's dedupe keys). The
// properties themselves have HasUniqueValue false, as in HubSpot.
var builtinUniqueProperties = map[string]string{
	"contacts":  "email",
	"companies": "domain",
}

// builtinPipelines are the default pipelines: HubSpot's "Sales Pipeline" for
// deals and "Support Pipeline" for tickets.
var builtinPipelines = []builtinPipeline{
	{
		Object: "deals", ID: "default", Label: "Sales Pipeline",
		Stages: []builtinStage{
			{ID: "appointmentscheduled", Label: "Appointment Scheduled", Metadata: map[string]string{"probability": "0.2", "isClosed": "false"}},
			{ID: "qualifiedtobuy", Label: "Qualified To Buy", Metadata: map[string]string{"probability": "0.4", "isClosed": "false"}},
			{ID: "presentationscheduled", Label: "Presentation Scheduled", Metadata: map[string]string{"probability": "0.6", "isClosed": "false"}},
			{ID: "decisionmakerboughtin", Label: "Decision Maker Bought-In", Metadata: map[string]string{"probability": "0.8", "isClosed": "false"}},
			{ID: "contractsent", Label: "Contract Sent", Metadata: map[string]string{"probability": "0.9", "isClosed": "false"}},
			{ID: "closedwon", Label: "Closed Won", Metadata: map[string]string{"probability": "1.0", "isClosed": "true"}},
			{ID: "closedlost", Label: "Closed Lost", Metadata: map[string]string{"probability": "0.0", "isClosed": "true"}},
		},
	},
	{
		Object: "tickets", ID: "0", Label: "Support Pipeline",
		Stages: []builtinStage{
			{ID: "1", Label: "New", Metadata: map[string]string{"ticketState": "OPEN"}},
			{ID: "2", Label: "Waiting on contact", Metadata: map[string]string{"ticketState": "OPEN"}},
			{ID: "3", Label: "Waiting on us", Metadata: map[string]string{"ticketState": "OPEN"}},
			{ID: "4", Label: "Closed", Metadata: map[string]string{"ticketState": "CLOSED"}},
		},
	},
}

// builtinAssociationTypes are HubSpot's HUBSPOT_DEFINED association types
// between the built-in objects (hubspot-api-python AssociationType). Every
// type names its inverse; symmetric types (same object on both ends) are
// their own inverse.
//
// MaxPerFrom is 1 where the From record may have at most one such
// association: a contact, deal or ticket has one primary company (1, 5, 26)
// and a company has one parent company (14). The inverse directions
// (company→X primary, parent→child) are unlimited on the From side; the
// store enforces the limit through the inverse type.
var builtinAssociationTypes = []builtinAssociationType{
	// contacts ↔ companies
	{TypeID: 1, From: "contacts", To: "companies", Label: "Primary", Primary: true, InverseID: 2, MaxPerFrom: 1},
	{TypeID: 2, From: "companies", To: "contacts", Label: "Primary", Primary: true, InverseID: 1},
	{TypeID: 279, From: "contacts", To: "companies", InverseID: 280},
	{TypeID: 280, From: "companies", To: "contacts", InverseID: 279},
	// deals ↔ contacts
	{TypeID: 3, From: "deals", To: "contacts", InverseID: 4},
	{TypeID: 4, From: "contacts", To: "deals", InverseID: 3},
	// deals ↔ companies
	{TypeID: 5, From: "deals", To: "companies", Label: "Primary", Primary: true, InverseID: 6, MaxPerFrom: 1},
	{TypeID: 6, From: "companies", To: "deals", Label: "Primary", Primary: true, InverseID: 5},
	{TypeID: 341, From: "deals", To: "companies", InverseID: 342},
	{TypeID: 342, From: "companies", To: "deals", InverseID: 341},
	// companies ↔ companies (hierarchy)
	{TypeID: 13, From: "companies", To: "companies", Label: "Parent Company", InverseID: 14},
	{TypeID: 14, From: "companies", To: "companies", Label: "Child Company", InverseID: 13, MaxPerFrom: 1},
	// contacts ↔ tickets
	{TypeID: 15, From: "contacts", To: "tickets", InverseID: 16},
	{TypeID: 16, From: "tickets", To: "contacts", InverseID: 15},
	// deals ↔ line items
	{TypeID: 19, From: "deals", To: "line_items", InverseID: 20},
	{TypeID: 20, From: "line_items", To: "deals", InverseID: 19},
	// companies ↔ tickets
	{TypeID: 25, From: "companies", To: "tickets", Label: "Primary", Primary: true, InverseID: 26},
	{TypeID: 26, From: "tickets", To: "companies", Label: "Primary", Primary: true, InverseID: 25, MaxPerFrom: 1},
	{TypeID: 340, From: "companies", To: "tickets", InverseID: 339},
	{TypeID: 339, From: "tickets", To: "companies", InverseID: 340},
	// deals ↔ tickets
	{TypeID: 27, From: "deals", To: "tickets", InverseID: 28},
	{TypeID: 28, From: "tickets", To: "deals", InverseID: 27},
	// same-object unlabeled types (symmetric)
	{TypeID: 449, From: "contacts", To: "contacts", InverseID: 449},
	{TypeID: 450, From: "companies", To: "companies", InverseID: 450},
	{TypeID: 451, From: "deals", To: "deals", InverseID: 451},
	{TypeID: 452, From: "tickets", To: "tickets", InverseID: 452},
	// companies ↔ engagements
	{TypeID: 181, From: "companies", To: "calls", InverseID: 182},
	{TypeID: 182, From: "calls", To: "companies", InverseID: 181},
	{TypeID: 185, From: "companies", To: "emails", InverseID: 186},
	{TypeID: 186, From: "emails", To: "companies", InverseID: 185},
	{TypeID: 187, From: "companies", To: "meetings", InverseID: 188},
	{TypeID: 188, From: "meetings", To: "companies", InverseID: 187},
	{TypeID: 189, From: "companies", To: "notes", InverseID: 190},
	{TypeID: 190, From: "notes", To: "companies", InverseID: 189},
	{TypeID: 191, From: "companies", To: "tasks", InverseID: 192},
	{TypeID: 192, From: "tasks", To: "companies", InverseID: 191},
	// contacts ↔ engagements
	{TypeID: 193, From: "contacts", To: "calls", InverseID: 194},
	{TypeID: 194, From: "calls", To: "contacts", InverseID: 193},
	{TypeID: 197, From: "contacts", To: "emails", InverseID: 198},
	{TypeID: 198, From: "emails", To: "contacts", InverseID: 197},
	{TypeID: 199, From: "contacts", To: "meetings", InverseID: 200},
	{TypeID: 200, From: "meetings", To: "contacts", InverseID: 199},
	{TypeID: 201, From: "contacts", To: "notes", InverseID: 202},
	{TypeID: 202, From: "notes", To: "contacts", InverseID: 201},
	{TypeID: 203, From: "contacts", To: "tasks", InverseID: 204},
	{TypeID: 204, From: "tasks", To: "contacts", InverseID: 203},
	// deals ↔ engagements
	{TypeID: 205, From: "deals", To: "calls", InverseID: 206},
	{TypeID: 206, From: "calls", To: "deals", InverseID: 205},
	{TypeID: 209, From: "deals", To: "emails", InverseID: 210},
	{TypeID: 210, From: "emails", To: "deals", InverseID: 209},
	{TypeID: 211, From: "deals", To: "meetings", InverseID: 212},
	{TypeID: 212, From: "meetings", To: "deals", InverseID: 211},
	{TypeID: 213, From: "deals", To: "notes", InverseID: 214},
	{TypeID: 214, From: "notes", To: "deals", InverseID: 213},
	{TypeID: 215, From: "deals", To: "tasks", InverseID: 216},
	{TypeID: 216, From: "tasks", To: "deals", InverseID: 215},
	// tickets ↔ engagements
	{TypeID: 219, From: "tickets", To: "calls", InverseID: 220},
	{TypeID: 220, From: "calls", To: "tickets", InverseID: 219},
	{TypeID: 223, From: "tickets", To: "emails", InverseID: 224},
	{TypeID: 224, From: "emails", To: "tickets", InverseID: 223},
	{TypeID: 225, From: "tickets", To: "meetings", InverseID: 226},
	{TypeID: 226, From: "meetings", To: "tickets", InverseID: 225},
	{TypeID: 227, From: "tickets", To: "notes", InverseID: 228},
	{TypeID: 228, From: "notes", To: "tickets", InverseID: 227},
	{TypeID: 229, From: "tickets", To: "tasks", InverseID: 230},
	{TypeID: 230, From: "tasks", To: "tickets", InverseID: 229},
}

// ---------------------------------------------------------------------------
// Property construction helpers (prefixed "bi" to stay out of the way of the
// rest of the package).

// biMod adjusts a property under construction.
type biMod func(*Property)

// biReadOnly marks a value the API refuses to write.
func biReadOnly(p *Property) { p.ReadOnlyValue = true }

// biCalculated marks a value computed by the store; it cannot be written.
func biCalculated(p *Property) { p.Calculated = true; p.ReadOnlyValue = true }

// biForm marks a property usable on forms.
func biForm(p *Property) { p.FormField = true }

// biEditableDefinition lets users edit the definition (label, options) of a
// HubSpot-defined property, as HubSpot does for e.g. lead status and industry.
func biEditableDefinition(p *Property) { p.ReadOnlyDefinition = false }

// biOwner turns an enumeration into an owner reference.
func biOwner(p *Property) { p.ExternalOptions = true; p.ReferencedObjectType = "OWNER" }

// biWithOptions sets the options of an enumeration.
func biWithOptions(opts []Option) biMod {
	return func(p *Property) { p.Options = append([]Option(nil), opts...) }
}

// biProp builds a HubSpot-defined property.
func biProp(group, name, label, typ, fieldType string, mods ...biMod) Property {
	p := Property{
		Name:               name,
		Label:              label,
		GroupName:          group,
		Type:               typ,
		FieldType:          fieldType,
		DisplayOrder:       -1,
		HubspotDefined:     true,
		ReadOnlyDefinition: true,
	}
	for _, m := range mods {
		m(&p)
	}
	return p
}

// biOpts builds options from value, label pairs; displayOrder follows the order.
func biOpts(valueLabel ...string) []Option {
	if len(valueLabel)%2 != 0 {
		panic("crmstore: biOpts needs value, label pairs")
	}
	opts := make([]Option, 0, len(valueLabel)/2)
	for i := 0; i+1 < len(valueLabel); i += 2 {
		opts = append(opts, Option{Value: valueLabel[i], Label: valueLabel[i+1], DisplayOrder: i / 2})
	}
	return opts
}

// biPipelineOptions are the options of a pipeline property: one per default
// pipeline of the object.
func biPipelineOptions(object string) []Option {
	var opts []Option
	for _, pl := range builtinPipelines {
		if pl.Object == object {
			opts = append(opts, Option{Value: pl.ID, Label: pl.Label, DisplayOrder: len(opts)})
		}
	}
	return opts
}

// biStageOptions are the options of a pipeline-stage property: the stages of
// every default pipeline of the object.
func biStageOptions(object string) []Option {
	var opts []Option
	for _, pl := range builtinPipelines {
		if pl.Object != object {
			continue
		}
		for _, st := range pl.Stages {
			opts = append(opts, Option{Value: st.ID, Label: st.Label, DisplayOrder: len(opts)})
		}
	}
	return opts
}

// biCommon are the properties every object has (crm-model.md §1.4), in the
// object's main group.
func biCommon(group, ownerLabel string) []Property {
	return []Property{
		biProp(group, "hs_object_id", "Record ID", TypeNumber, "number", biReadOnly),
		biProp(group, "createdate", "Create Date", TypeDateTime, "date", biReadOnly),
		biProp(group, "hs_lastmodifieddate", "Last Modified Date", TypeDateTime, "date", biReadOnly),
		biProp(group, "hubspot_owner_id", ownerLabel, TypeEnumeration, "select", biOwner),
		biProp(group, "hs_object_source", "Record source", TypeString, "text", biReadOnly),
		biProp(group, "hs_object_source_id", "Record source ID", TypeString, "text", biReadOnly),
		biProp(group, "hs_object_source_label", "Record source label", TypeString, "text", biReadOnly),
		biProp(group, "hs_object_source_user_id", "Record source user ID", TypeString, "text", biReadOnly),
		biProp(group, "hs_created_by_user_id", "Created by user ID", TypeNumber, "number", biReadOnly),
		biProp(group, "hs_updated_by_user_id", "Updated by user ID", TypeNumber, "number", biReadOnly),
		biProp(group, "hs_merged_object_ids", "Merged record IDs", TypeString, "text", biReadOnly),
	}
}

// biActivityDates are the last-activity properties of contacts, companies and deals.
func biActivityDates(group string) []Property {
	return []Property{
		biProp(group, "notes_last_contacted", "Last Contacted", TypeDateTime, "date", biReadOnly),
		biProp(group, "notes_last_updated", "Last Activity Date", TypeDateTime, "date", biReadOnly),
	}
}

// biRelabel changes the label of the named property in props.
func biRelabel(props []Property, name, label string) []Property {
	for i := range props {
		if props[i].Name == name {
			props[i].Label = label
		}
	}
	return props
}

// biProps concatenates property lists.
func biProps(lists ...[]Property) []Property {
	var out []Property
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// ---------------------------------------------------------------------------
// Shared option sets.

var (
	biLifecycleStages = biOpts(
		"subscriber", "Subscriber",
		"lead", "Lead",
		"marketingqualifiedlead", "Marketing Qualified Lead",
		"salesqualifiedlead", "Sales Qualified Lead",
		"opportunity", "Opportunity",
		"customer", "Customer",
		"evangelist", "Evangelist",
		"other", "Other",
	)
	biAnalyticsSources = biOpts(
		"ORGANIC_SEARCH", "Organic Search",
		"PAID_SEARCH", "Paid Search",
		"EMAIL_MARKETING", "Email Marketing",
		"SOCIAL_MEDIA", "Organic Social",
		"REFERRALS", "Referrals",
		"OTHER_CAMPAIGNS", "Other Campaigns",
		"DIRECT_TRAFFIC", "Direct Traffic",
		"OFFLINE", "Offline Sources",
		"PAID_SOCIAL", "Paid Social",
	)
	biIndustries = biOpts(
		"ACCOUNTING", "Accounting",
		"AIRLINES_AVIATION", "Airlines/Aviation",
		"APPAREL_FASHION", "Apparel & Fashion",
		"AUTOMOTIVE", "Automotive",
		"BANKING", "Banking",
		"BIOTECHNOLOGY", "Biotechnology",
		"COMPUTER_SOFTWARE", "Computer Software",
		"CONSTRUCTION", "Construction",
		"CONSUMER_GOODS", "Consumer Goods",
		"EDUCATION_MANAGEMENT", "Education Management",
		"FINANCIAL_SERVICES", "Financial Services",
		"FOOD_BEVERAGES", "Food & Beverages",
		"HOSPITAL_HEALTH_CARE", "Hospital & Health Care",
		"HOSPITALITY", "Hospitality",
		"INFORMATION_TECHNOLOGY_AND_SERVICES", "Information Technology and Services",
		"INSURANCE", "Insurance",
		"INTERNET", "Internet",
		"LEGAL_SERVICES", "Legal Services",
		"MANAGEMENT_CONSULTING", "Management Consulting",
		"MARKETING_AND_ADVERTISING", "Marketing and Advertising",
		"MEDIA_PRODUCTION", "Media Production",
		"NONPROFIT_ORGANIZATION_MANAGEMENT", "Non-Profit Organization Management",
		"REAL_ESTATE", "Real Estate",
		"RETAIL", "Retail",
		"TELECOMMUNICATIONS", "Telecommunications",
		"TRANSPORTATION_TRUCKING_RAILROAD", "Transportation/Trucking/Railroad",
	)
)

// ---------------------------------------------------------------------------
// The objects.

// builtinObjects are the HubSpot-defined objects, in objectTypeId order.
var builtinObjects = []builtinObject{
	builtinContacts(),
	builtinCompanies(),
	builtinDeals(),
	builtinTickets(),
	builtinProducts(),
	builtinLineItems(),
	builtinTasks(),
	builtinNotes(),
	builtinMeetings(),
	builtinCalls(),
	builtinEmails(),
}

func builtinContacts() builtinObject {
	const g, ga = "contactinformation", "analyticsinformation"
	return builtinObject{
		TypeID: "0-1", Name: "contacts", Singular: "Contact", Plural: "Contacts",
		PrimaryDisplay: "email",
		Searchable:     []string{"email", "firstname", "lastname", "phone", "company"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Contact information", DisplayOrder: 0},
			{Name: ga, Label: "Web analytics history", DisplayOrder: 1},
		},
		Properties: biProps(
			// Contacts keep the legacy lastmodifieddate as "Last Modified Date".
			biRelabel(biCommon(g, "Contact owner"), "hs_lastmodifieddate", "Object last modified date/time"),
			[]Property{
				biProp(g, "lastmodifieddate", "Last Modified Date", TypeDateTime, "date", biReadOnly),
				biProp(g, "email", "Email", TypeString, "text", biForm),
				biProp(g, "firstname", "First Name", TypeString, "text", biForm),
				biProp(g, "lastname", "Last Name", TypeString, "text", biForm),
				biProp(g, "company", "Company Name", TypeString, "text", biForm),
				biProp(g, "jobtitle", "Job Title", TypeString, "text", biForm),
				biProp(g, "website", "Website URL", TypeString, "text", biForm),
				biProp(g, "address", "Street Address", TypeString, "text", biForm),
				biProp(g, "city", "City", TypeString, "text", biForm),
				biProp(g, "state", "State/Region", TypeString, "text", biForm),
				biProp(g, "zip", "Postal Code", TypeString, "text", biForm),
				biProp(g, "country", "Country/Region", TypeString, "text", biForm),
				biProp(g, "phone", "Phone Number", TypeString, "phonenumber", biForm),
				biProp(g, "mobilephone", "Mobile Phone Number", TypeString, "phonenumber", biForm),
				biProp(g, "lifecyclestage", "Lifecycle Stage", TypeEnumeration, "radio", biForm,
					biWithOptions(biLifecycleStages)),
				biProp(g, "hs_lead_status", "Lead Status", TypeEnumeration, "radio", biForm, biEditableDefinition,
					biWithOptions(biOpts(
						"NEW", "New",
						"OPEN", "Open",
						"IN_PROGRESS", "In Progress",
						"OPEN_DEAL", "Open Deal",
						"UNQUALIFIED", "Unqualified",
						"ATTEMPTED_TO_CONTACT", "Attempted to Contact",
						"CONNECTED", "Connected",
						"BAD_TIMING", "Bad Timing",
					))),
				biProp(g, "associatedcompanyid", "Primary Associated Company ID", TypeNumber, "number"),
				biProp(g, "hs_email_optout", "Unsubscribed from all email", TypeBool, "booleancheckbox",
					biWithOptions(biOpts("true", "Yes", "false", "No"))),
				biProp(ga, "hs_analytics_source", "Original Source", TypeEnumeration, "select",
					biWithOptions(biAnalyticsSources)),
				biProp(ga, "hs_latest_source", "Latest Source", TypeEnumeration, "select",
					biWithOptions(biAnalyticsSources)),
			},
			biActivityDates(g),
		),
	}
}

func builtinCompanies() builtinObject {
	const g = "companyinformation"
	return builtinObject{
		TypeID: "0-2", Name: "companies", Singular: "Company", Plural: "Companies",
		PrimaryDisplay: "name",
		// HubSpot requires name or domain; neither alone is required, so
		// the either/or rule is left to the store.
		Searchable: []string{"name", "domain", "website", "phone"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Company information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Company owner"),
			[]Property{
				biProp(g, "name", "Company name", TypeString, "text", biForm),
				biProp(g, "domain", "Company Domain Name", TypeString, "text", biForm),
				biProp(g, "website", "Website URL", TypeString, "text", biForm),
				biProp(g, "address", "Street Address", TypeString, "text", biForm),
				biProp(g, "city", "City", TypeString, "text", biForm),
				biProp(g, "state", "State/Region", TypeString, "text", biForm),
				biProp(g, "zip", "Postal Code", TypeString, "text", biForm),
				biProp(g, "country", "Country/Region", TypeString, "text", biForm),
				biProp(g, "phone", "Phone Number", TypeString, "phonenumber", biForm),
				biProp(g, "industry", "Industry", TypeEnumeration, "select", biForm, biEditableDefinition,
					biWithOptions(biIndustries)),
				biProp(g, "type", "Type", TypeEnumeration, "radio", biForm, biEditableDefinition,
					biWithOptions(biOpts(
						"PROSPECT", "Prospect",
						"PARTNER", "Partner",
						"RESELLER", "Reseller",
						"VENDOR", "Vendor",
						"OTHER", "Other",
					))),
				biProp(g, "numberofemployees", "Number of Employees", TypeNumber, "number", biForm),
				biProp(g, "annualrevenue", "Annual Revenue", TypeNumber, "number", biForm),
				biProp(g, "description", "Description", TypeString, "textarea", biForm),
				biProp(g, "lifecyclestage", "Lifecycle Stage", TypeEnumeration, "radio",
					biWithOptions(biLifecycleStages)),
				biProp(g, "hs_parent_company_id", "Parent Company", TypeNumber, "number"),
			},
			biActivityDates(g),
		),
	}
}

func builtinDeals() builtinObject {
	const g = "dealinformation"
	return builtinObject{
		TypeID: "0-3", Name: "deals", Singular: "Deal", Plural: "Deals",
		PrimaryDisplay: "dealname",
		Required:       []string{"dealname", "pipeline", "dealstage"},
		Searchable:     []string{"dealname"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Deal information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Deal owner"),
			[]Property{
				biProp(g, "dealname", "Deal Name", TypeString, "text"),
				biProp(g, "amount", "Amount", TypeNumber, "number"),
				biProp(g, "dealstage", "Deal Stage", TypeEnumeration, "radio",
					biWithOptions(biStageOptions("deals"))),
				biProp(g, "pipeline", "Pipeline", TypeEnumeration, "select",
					biWithOptions(biPipelineOptions("deals"))),
				biProp(g, "closedate", "Close Date", TypeDateTime, "date"),
				biProp(g, "dealtype", "Deal Type", TypeEnumeration, "radio", biEditableDefinition,
					biWithOptions(biOpts(
						"newbusiness", "New Business",
						"existingbusiness", "Existing Business",
					))),
				biProp(g, "hs_priority", "Priority", TypeEnumeration, "select",
					biWithOptions(biOpts("low", "Low", "medium", "Medium", "high", "High"))),
				biProp(g, "description", "Deal Description", TypeString, "textarea"),
				biProp(g, "closed_lost_reason", "Closed Lost Reason", TypeString, "textarea"),
				biProp(g, "closed_won_reason", "Closed Won Reason", TypeString, "textarea"),
				biProp(g, "deal_currency_code", "Currency", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"USD", "US Dollar",
						"EUR", "Euro",
						"GBP", "British Pound Sterling",
						"JPY", "Japanese Yen",
						"CAD", "Canadian Dollar",
						"AUD", "Australian Dollar",
						"CHF", "Swiss Franc",
					))),
				biProp(g, "hs_deal_stage_probability", "Deal probability", TypeNumber, "number", biCalculated),
				biProp(g, "amount_in_home_currency", "Amount in company currency", TypeNumber, "calculation_equation", biCalculated),
				biProp(g, "hs_is_closed", "Is Deal Closed?", TypeBool, "calculation_equation", biCalculated,
					biWithOptions(biOpts("true", "Yes", "false", "No"))),
				biProp(g, "hs_is_closed_won", "Is Closed Won", TypeBool, "calculation_equation", biCalculated,
					biWithOptions(biOpts("true", "Yes", "false", "No"))),
				biProp(g, "hs_forecast_amount", "Forecast amount", TypeNumber, "calculation_equation", biCalculated),
			},
			biActivityDates(g),
		),
	}
}

func builtinTickets() builtinObject {
	const g = "ticketinformation"
	return builtinObject{
		TypeID: "0-5", Name: "tickets", Singular: "Ticket", Plural: "Tickets",
		PrimaryDisplay: "subject",
		Required:       []string{"subject", "hs_pipeline", "hs_pipeline_stage"},
		Searchable:     []string{"subject", "content"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Ticket information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Ticket owner"),
			[]Property{
				biProp(g, "subject", "Ticket name", TypeString, "text", biForm),
				biProp(g, "content", "Ticket description", TypeString, "textarea", biForm),
				biProp(g, "hs_pipeline", "Pipeline", TypeEnumeration, "select",
					biWithOptions(biPipelineOptions("tickets"))),
				biProp(g, "hs_pipeline_stage", "Ticket status", TypeEnumeration, "select",
					biWithOptions(biStageOptions("tickets"))),
				biProp(g, "hs_ticket_priority", "Priority", TypeEnumeration, "select", biForm,
					biWithOptions(biOpts(
						"LOW", "Low",
						"MEDIUM", "Medium",
						"HIGH", "High",
						"URGENT", "Urgent",
					))),
				biProp(g, "hs_ticket_category", "Category", TypeEnumeration, "checkbox", biForm, biEditableDefinition,
					biWithOptions(biOpts(
						"PRODUCT_ISSUE", "Product issue",
						"BILLING_ISSUE", "Billing issue",
						"FEATURE_REQUEST", "Feature request",
						"GENERAL_INQUIRY", "General inquiry",
					))),
				biProp(g, "source_type", "Source", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"CHAT", "Chat",
						"EMAIL", "Email",
						"FORM", "Form",
						"PHONE", "Phone",
					))),
				biProp(g, "closed_date", "Close date", TypeDateTime, "date"),
				biProp(g, "hs_resolution", "Resolution", TypeEnumeration, "radio", biEditableDefinition,
					biWithOptions(biOpts(
						"ISSUE_FIXED", "Issue fixed",
						"ANSWERED", "Answered",
						"NO_RESPONSE", "No response",
						"DUPLICATE", "Duplicate",
						"OTHER", "Other",
					))),
				biProp(g, "time_to_close", "Time to close", TypeNumber, "calculation_equation", biCalculated),
			},
		),
	}
}

func builtinProducts() builtinObject {
	const g = "productinformation"
	return builtinObject{
		TypeID: "0-7", Name: "products", Singular: "Product", Plural: "Products",
		PrimaryDisplay: "name",
		Searchable:     []string{"name", "description", "hs_sku"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Product information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Owner"),
			[]Property{
				biProp(g, "name", "Name", TypeString, "text"),
				biProp(g, "description", "Description", TypeString, "textarea"),
				biProp(g, "price", "Unit price", TypeNumber, "number"),
				biProp(g, "hs_sku", "SKU", TypeString, "text"),
				biProp(g, "hs_cost_of_goods_sold", "Unit cost", TypeNumber, "number"),
				biProp(g, "hs_recurring_billing_period", "Term", TypeString, "text"),
			},
		),
	}
}

func builtinLineItems() builtinObject {
	const g = "lineiteminformation"
	return builtinObject{
		TypeID: "0-8", Name: "line_items", Singular: "Line item", Plural: "Line items",
		PrimaryDisplay: "name",
		Searchable:     []string{"name", "hs_sku"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Line item information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Owner"),
			[]Property{
				biProp(g, "name", "Name", TypeString, "text"),
				biProp(g, "quantity", "Quantity", TypeNumber, "number"),
				biProp(g, "price", "Unit price", TypeNumber, "number"),
				// Net price: computed as quantity × price when not given,
				// but writable.
				biProp(g, "amount", "Net price", TypeNumber, "number", func(p *Property) { p.Calculated = true }),
				biProp(g, "hs_product_id", "Product ID", TypeNumber, "number"),
				biProp(g, "hs_sku", "SKU", TypeString, "text"),
				biProp(g, "description", "Description", TypeString, "textarea"),
			},
		),
	}
}

// biTimestamp is the required activity date of an engagement.
func biTimestamp(group, label string) Property {
	return biProp(group, "hs_timestamp", label, TypeDateTime, "date")
}

func builtinTasks() builtinObject {
	const g = "taskinformation"
	return builtinObject{
		TypeID: "0-27", Name: "tasks", Singular: "Task", Plural: "Tasks",
		PrimaryDisplay: "hs_task_subject",
		Required:       []string{"hs_timestamp"},
		Searchable:     []string{"hs_task_subject", "hs_task_body"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Task information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Owner"),
			[]Property{
				biTimestamp(g, "Due date"),
				biProp(g, "hs_task_subject", "Task Title", TypeString, "text"),
				biProp(g, "hs_task_body", "Notes", TypeString, "textarea"),
				biProp(g, "hs_task_status", "Task Status", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"NOT_STARTED", "Not started",
						"IN_PROGRESS", "In progress",
						"WAITING", "Waiting",
						"COMPLETED", "Completed",
						"DEFERRED", "Deferred",
					))),
				biProp(g, "hs_task_priority", "Priority", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"NONE", "None",
						"LOW", "Low",
						"MEDIUM", "Medium",
						"HIGH", "High",
					))),
				biProp(g, "hs_task_type", "Task Type", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"TODO", "To-do",
						"CALL", "Call",
						"EMAIL", "Email",
					))),
				biProp(g, "hs_task_completion_date", "Completed at", TypeDateTime, "date", biReadOnly),
			},
		),
	}
}

func builtinNotes() builtinObject {
	const g = "noteinformation"
	return builtinObject{
		TypeID: "0-46", Name: "notes", Singular: "Note", Plural: "Notes",
		PrimaryDisplay: "hs_note_body",
		Required:       []string{"hs_timestamp"},
		Searchable:     []string{"hs_note_body"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Note information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Owner"),
			[]Property{
				biTimestamp(g, "Activity date"),
				biProp(g, "hs_note_body", "Note body", TypeString, "html"),
			},
		),
	}
}

func builtinMeetings() builtinObject {
	const g = "meetinginformation"
	return builtinObject{
		TypeID: "0-47", Name: "meetings", Singular: "Meeting", Plural: "Meetings",
		PrimaryDisplay: "hs_meeting_title",
		Required:       []string{"hs_timestamp"},
		Searchable:     []string{"hs_meeting_title", "hs_meeting_body"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Meeting information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Owner"),
			[]Property{
				biTimestamp(g, "Activity date"),
				biProp(g, "hs_meeting_title", "Meeting name", TypeString, "text"),
				biProp(g, "hs_meeting_body", "Meeting description", TypeString, "html"),
				biProp(g, "hs_meeting_start_time", "Meeting start time", TypeDateTime, "date"),
				biProp(g, "hs_meeting_end_time", "Meeting end time", TypeDateTime, "date"),
				biProp(g, "hs_meeting_location", "Meeting location", TypeString, "text"),
				biProp(g, "hs_meeting_outcome", "Meeting outcome", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"SCHEDULED", "Scheduled",
						"COMPLETED", "Completed",
						"RESCHEDULED", "Rescheduled",
						"NO_SHOW", "No show",
						"CANCELED", "Canceled",
					))),
				biProp(g, "hs_internal_meeting_notes", "Internal meeting notes", TypeString, "html"),
			},
		),
	}
}

func builtinCalls() builtinObject {
	const g = "callinformation"
	return builtinObject{
		TypeID: "0-48", Name: "calls", Singular: "Call", Plural: "Calls",
		PrimaryDisplay: "hs_call_title",
		Required:       []string{"hs_timestamp"},
		Searchable:     []string{"hs_call_title", "hs_call_body"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Call information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Owner"),
			[]Property{
				biTimestamp(g, "Activity date"),
				biProp(g, "hs_call_title", "Call title", TypeString, "text"),
				biProp(g, "hs_call_body", "Call notes", TypeString, "html"),
				biProp(g, "hs_call_direction", "Call direction", TypeEnumeration, "select",
					biWithOptions(biOpts("INBOUND", "Inbound", "OUTBOUND", "Outbound"))),
				biProp(g, "hs_call_duration", "Call duration", TypeNumber, "number",
					func(p *Property) { p.Description = "Duration of the call in milliseconds." }),
				biProp(g, "hs_call_disposition", "Call outcome", TypeString, "text"),
				biProp(g, "hs_call_status", "Call status", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"BUSY", "Busy",
						"CALLING_CRM_USER", "Calling CRM user",
						"CANCELED", "Canceled",
						"COMPLETED", "Completed",
						"CONNECTING", "Connecting",
						"FAILED", "Failed",
						"IN_PROGRESS", "In progress",
						"NO_ANSWER", "No answer",
						"QUEUED", "Queued",
						"RINGING", "Ringing",
					))),
				biProp(g, "hs_call_from_number", "From number", TypeString, "phonenumber"),
				biProp(g, "hs_call_to_number", "To number", TypeString, "phonenumber"),
			},
		),
	}
}

func builtinEmails() builtinObject {
	const g = "emailinformation"
	return builtinObject{
		TypeID: "0-49", Name: "emails", Singular: "Email", Plural: "Emails",
		PrimaryDisplay: "hs_email_subject",
		Required:       []string{"hs_timestamp", "hs_email_direction"},
		Searchable:     []string{"hs_email_subject", "hs_email_text"},
		Groups: []PropertyGroup{
			{Name: g, Label: "Email information", DisplayOrder: 0},
		},
		Properties: biProps(
			biCommon(g, "Owner"),
			[]Property{
				biTimestamp(g, "Activity date"),
				biProp(g, "hs_email_subject", "Email subject", TypeString, "text"),
				biProp(g, "hs_email_text", "Email body", TypeString, "textarea"),
				biProp(g, "hs_email_html", "Email HTML body", TypeString, "html"),
				biProp(g, "hs_email_direction", "Email direction", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"EMAIL", "Sent by owner",
						"INCOMING_EMAIL", "Reply from contact",
						"FORWARDED_EMAIL", "Forwarded",
					))),
				biProp(g, "hs_email_status", "Email send status", TypeEnumeration, "select",
					biWithOptions(biOpts(
						"BOUNCED", "Bounced",
						"FAILED", "Failed",
						"SCHEDULED", "Scheduled",
						"SENDING", "Sending",
						"SENT", "Sent",
					))),
				biProp(g, "hs_email_sender_email", "From email", TypeString, "text"),
				biProp(g, "hs_email_to_email", "To email", TypeString, "text"),
			},
		),
	}
}
