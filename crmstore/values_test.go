package crmstore

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// Properties used by the value tests, shaped like HubSpot's defaults.
var (
	valPropAmount     = &Property{Name: "amount", Type: TypeNumber, FieldType: "number"}
	valPropEmployees  = &Property{Name: "numberofemployees", Type: TypeNumber, FieldType: "number"}
	valPropObjectID   = &Property{Name: "hs_object_id", Type: TypeNumber, FieldType: "number"}
	valPropExternalID = &Property{Name: "erp_id", Type: TypeNumber, FieldType: "number"}
	valPropCompanyID  = &Property{Name: "associatedcompanyid", Type: TypeNumber, FieldType: "number"}
	valPropBirthday   = &Property{Name: "birthday", Type: TypeDate, FieldType: "date"}
	valPropCloseDate  = &Property{Name: "closedate", Type: TypeDateTime, FieldType: "date"}
	valPropOptOut     = &Property{Name: "hs_email_optout", Type: TypeBool, FieldType: "booleancheckbox"}
	valPropLeadStatus = &Property{Name: "hs_lead_status", Type: TypeEnumeration, FieldType: "radio", Options: []Option{
		{Label: "New", Value: "NEW"},
		{Label: "Open", Value: "OPEN"},
		{Label: "In progress", Value: "IN_PROGRESS"},
		{Label: "Bad timing", Value: "BAD_TIMING", Hidden: true},
	}}
	valPropCase = &Property{Name: "case_prop", Type: TypeEnumeration, FieldType: "select", Options: []Option{
		{Label: "Upper", Value: "A"},
		{Label: "Lower", Value: "a"},
		{Label: "Y", Value: "x"},
		{Label: "X", Value: "y"},
	}}
	valPropCategory = &Property{Name: "hs_ticket_category", Type: TypeEnumeration, FieldType: "checkbox", Options: []Option{
		{Label: "Product issue", Value: "PRODUCT_ISSUE"},
		{Label: "Billing issue", Value: "BILLING_ISSUE"},
		{Label: "Feature request", Value: "FEATURE_REQUEST"},
		{Label: "General inquiry", Value: "GENERAL_INQUIRY", Hidden: true},
	}}
	valPropOwner   = &Property{Name: "hubspot_owner_id", Type: TypeEnumeration, FieldType: "select", ExternalOptions: true, ReferencedObjectType: "OWNER"}
	valPropTeams   = &Property{Name: "team_ids", Type: TypeEnumeration, FieldType: "checkbox", ExternalOptions: true}
	valPropYesNo   = &Property{Name: "is_partner", Type: TypeEnumeration, FieldType: "booleancheckbox", Options: []Option{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false"}}}
	valPropMany    = &Property{Name: "many", Type: TypeEnumeration, FieldType: "select", Options: valManyOptions(25)}
	valPropNone    = &Property{Name: "empty_enum", Type: TypeEnumeration, FieldType: "select"}
	valPropFirst   = &Property{Name: "firstname", Type: TypeString, FieldType: "text"}
	valPropPhone   = &Property{Name: "phone", Type: TypePhoneNumber, FieldType: "phonenumber"}
	valPropEmail   = &Property{Name: "email", Type: TypeString, FieldType: "text"}
	valPropWork    = &Property{Name: "work_email", Type: TypeString, FieldType: "text"}
	valPropEmails  = &Property{Name: "hs_additional_emails", Type: TypeString, FieldType: "textarea"}
	valPropDomain  = &Property{Name: "domain", Type: TypeString, FieldType: "text"}
	valPropCoords  = &Property{Name: "hs_last_activity_coords", Type: TypeObjectCoordinates, FieldType: "text"}
	valPropJSON    = &Property{Name: "hs_payload", Type: TypeJSON, FieldType: "text"}
	valPropUnknown = &Property{Name: "odd", Type: "currency", FieldType: "number"}
)

func valManyOptions(n int) []Option {
	opts := make([]Option, n)
	for i := range opts {
		opts[i] = Option{Label: fmt.Sprintf("Option %d", i), Value: fmt.Sprintf("o%d", i)}
	}
	return opts
}

func valNum(f float64) *float64 { return &f }

// Epoch milliseconds used below.
const (
	valMs20240117           = 1705449600000 // 2024-01-17T00:00:00Z
	valMs20240118           = 1705536000000 // 2024-01-18T00:00:00Z
	valMs20240116           = 1705363200000 // 2024-01-16T00:00:00Z
	valMs20240117T195504281 = 1705521304281 // 2024-01-17T19:55:04.281Z
)

type valCase struct {
	name string
	prop *Property
	raw  string
	want string   // canonical value when the value is accepted
	num  *float64 // expected numeric form; nil when none is expected
	code string   // expected error code; "" when the value is accepted
	msg  []string // substrings the error message must hold
}

func TestNormalizeValue(t *testing.T) {
	long := func(r string, n int) string { return strings.Repeat(r, n) }
	cases := []valCase{
		// number: accepted forms and canonical text.
		{name: "number integer", prop: valPropAmount, raw: "42", want: "42", num: valNum(42)},
		{name: "number trailing zero dropped", prop: valPropAmount, raw: "1.50", want: "1.5", num: valNum(1.5)},
		{name: "number exponent", prop: valPropAmount, raw: "1e3", want: "1000", num: valNum(1000)},
		{name: "number upper exponent with sign", prop: valPropAmount, raw: "2.5E+2", want: "250", num: valNum(250)},
		{name: "number negative exponent", prop: valPropAmount, raw: "-1.25e-2", want: "-0.0125", num: valNum(-0.0125)},
		{name: "number small exponent", prop: valPropAmount, raw: "1.5e-7", want: "0.00000015", num: valNum(1.5e-7)},
		{name: "number negative zero", prop: valPropAmount, raw: "-0", want: "0", num: valNum(0)},
		{name: "number zero with decimals", prop: valPropAmount, raw: "0.000", want: "0", num: valNum(0)},
		{name: "number zero with huge exponent", prop: valPropAmount, raw: "0e999999999999999999999", want: "0", num: valNum(0)},
		{name: "number leading zeros", prop: valPropAmount, raw: "007", want: "7", num: valNum(7)},
		{name: "number integer trailing zeros kept", prop: valPropAmount, raw: "100", want: "100", num: valNum(100)},
		{name: "number decimal zeros of integer", prop: valPropAmount, raw: "1200.00", want: "1200", num: valNum(1200)},
		{name: "number surrounding spaces", prop: valPropAmount, raw: " \t12.5 \n", want: "12.5", num: valNum(12.5)},
		{name: "number plus sign", prop: valPropAmount, raw: "+3", want: "3", num: valNum(3)},
		{name: "number leading point", prop: valPropAmount, raw: ".5", want: "0.5", num: valNum(0.5)},
		{name: "number trailing point", prop: valPropAmount, raw: "5.", want: "5", num: valNum(5)},
		{name: "number negative decimal", prop: valPropAmount, raw: "-0012.340", want: "-12.34", num: valNum(-12.34)},
		{name: "number exponent moves point inside digits", prop: valPropAmount, raw: "123.456e1", want: "1234.56", num: valNum(1234.56)},
		{name: "number large integer keeps digits", prop: valPropAmount, raw: "12345678901234567890", want: "12345678901234567890", num: valNum(12345678901234567890)},
		{name: "number long decimal keeps digits", prop: valPropAmount, raw: "123456789012345678901234567890.123456789",
			want: "123456789012345678901234567890.123456789", num: valNum(123456789012345678901234567890.123456789)},
		{name: "number largest float", prop: valPropAmount, raw: "1e308", want: "1" + long("0", 308), num: valNum(1e308)},
		{name: "number 65,536 characters", prop: valPropAmount, raw: "1." + long("0", 65534), want: "1", num: valNum(1)},

		// number: refusals.
		{name: "number with letters", prop: valPropAmount, raw: "12x", code: CodeInvalidDecimal,
			msg: []string{`Property "amount" value "12x" is not a valid number`}},
		{name: "number NaN", prop: valPropAmount, raw: "NaN", code: CodeInvalidDecimal},
		{name: "number Inf", prop: valPropAmount, raw: "Inf", code: CodeInvalidDecimal},
		{name: "number -Infinity", prop: valPropAmount, raw: "-Infinity", code: CodeInvalidDecimal},
		{name: "number digit grouping", prop: valPropAmount, raw: "1,000", code: CodeInvalidDecimal},
		{name: "number decimal comma", prop: valPropAmount, raw: "1,5", code: CodeInvalidDecimal},
		{name: "number hexadecimal", prop: valPropAmount, raw: "0x10", code: CodeInvalidDecimal},
		{name: "number underscore", prop: valPropAmount, raw: "1_000", code: CodeInvalidDecimal},
		{name: "number blank", prop: valPropAmount, raw: "   ", code: CodeInvalidDecimal},
		{name: "number lone point", prop: valPropAmount, raw: ".", code: CodeInvalidDecimal},
		{name: "number lone exponent", prop: valPropAmount, raw: "e5", code: CodeInvalidDecimal},
		{name: "number exponent without digits", prop: valPropAmount, raw: "1e", code: CodeInvalidDecimal},
		{name: "number double sign", prop: valPropAmount, raw: "--1", code: CodeInvalidDecimal},
		{name: "number two points", prop: valPropAmount, raw: "1.2.3", code: CodeInvalidDecimal},
		{name: "number inner space", prop: valPropAmount, raw: "1 000", code: CodeInvalidDecimal},
		{name: "number currency sign", prop: valPropAmount, raw: "$12", code: CodeInvalidDecimal},
		{name: "number overflow", prop: valPropAmount, raw: "1e400", code: CodeInvalidDecimal, msg: []string{"out of range"}},
		{name: "number underflow", prop: valPropAmount, raw: "1e-400", code: CodeInvalidDecimal, msg: []string{"out of range"}},
		{name: "number 65,537 characters", prop: valPropAmount, raw: "1." + long("0", 65535), code: CodeValueTooLong,
			msg: []string{`Property "amount"`, "65536"}},

		// number: integer properties.
		{name: "integer property accepts integer", prop: valPropEmployees, raw: "250", want: "250", num: valNum(250)},
		{name: "integer property accepts integral decimal", prop: valPropEmployees, raw: "12.0", want: "12", num: valNum(12)},
		{name: "integer property accepts integral exponent", prop: valPropEmployees, raw: "1.5e1", want: "15", num: valNum(15)},
		{name: "integer property refuses text", prop: valPropEmployees, raw: "many", code: CodeInvalidInteger,
			msg: []string{`Property "numberofemployees" value "many" is not a valid integer`}},
		{name: "integer property refuses fraction", prop: valPropEmployees, raw: "1.5", code: CodeInvalidInteger},
		{name: "hs_object_id is integer", prop: valPropObjectID, raw: "abc", code: CodeInvalidInteger},
		{name: "associatedcompanyid is integer", prop: valPropCompanyID, raw: "12.25", code: CodeInvalidInteger},
		{name: "_id suffix is integer", prop: valPropExternalID, raw: "12.5", code: CodeInvalidInteger},
		{name: "_id suffix accepts integer", prop: valPropExternalID, raw: "0012", want: "12", num: valNum(12)},

		// date.
		{name: "date ISO", prop: valPropBirthday, raw: "2024-01-17", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date spaces", prop: valPropBirthday, raw: " 2024-01-17 ", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date midnight datetime", prop: valPropBirthday, raw: "2024-01-17T00:00:00Z", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date midnight datetime millis", prop: valPropBirthday, raw: "2024-01-17T00:00:00.000Z", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date epoch ms", prop: valPropBirthday, raw: "1705449600000", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date epoch ms truncated to day", prop: valPropBirthday, raw: "1705521304281", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date datetime truncated to day", prop: valPropBirthday, raw: "2024-01-17T19:55:04.281Z", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date negative offset moves to next UTC day", prop: valPropBirthday, raw: "2024-01-17T22:00:00-05:00", want: "2024-01-18", num: valNum(valMs20240118)},
		{name: "date positive offset moves to previous UTC day", prop: valPropBirthday, raw: "2024-01-17T01:00:00+02:00", want: "2024-01-16", num: valNum(valMs20240116)},
		{name: "date datetime without zone is UTC", prop: valPropBirthday, raw: "2024-01-17T23:59:59", want: "2024-01-17", num: valNum(valMs20240117)},
		{name: "date negative epoch ms", prop: valPropBirthday, raw: "-86400000", want: "1969-12-31", num: valNum(-86400000)},
		{name: "date epoch ms just before 1970", prop: valPropBirthday, raw: "-1", want: "1969-12-31", num: valNum(-86400000)},
		{name: "date leap day", prop: valPropBirthday, raw: "2024-02-29", want: "2024-02-29", num: valNum(1709164800000)},
		{name: "date impossible day", prop: valPropBirthday, raw: "2023-02-29", code: CodeInvalidDate,
			msg: []string{`Property "birthday" value "2023-02-29" is not a valid date`}},
		{name: "date out of range day", prop: valPropBirthday, raw: "2024-02-30", code: CodeInvalidDate},
		{name: "date other format", prop: valPropBirthday, raw: "17/01/2024", code: CodeInvalidDate},
		{name: "date single-digit parts", prop: valPropBirthday, raw: "2024-1-7", code: CodeInvalidDate},
		{name: "date word", prop: valPropBirthday, raw: "tomorrow", code: CodeInvalidDate},
		{name: "date bad hour", prop: valPropBirthday, raw: "2024-01-17T25:00:00Z", code: CodeInvalidDate},
		{name: "date fractional epoch", prop: valPropBirthday, raw: "1705449600000.5", code: CodeInvalidDate},
		{name: "date epoch overflow", prop: valPropBirthday, raw: "99999999999999999999", code: CodeInvalidDate},
		{name: "date year 10000", prop: valPropBirthday, raw: "253402300800000", code: CodeInvalidDate},
		{name: "date blank", prop: valPropBirthday, raw: " ", code: CodeInvalidDate},

		// datetime.
		{name: "datetime RFC3339 millis", prop: valPropCloseDate, raw: "2024-01-17T19:55:04.281Z", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime no fraction", prop: valPropCloseDate, raw: "2024-01-17T19:55:04Z", want: "2024-01-17T19:55:04.000Z", num: valNum(valMs20240117T195504281 - 281)},
		{name: "datetime one fraction digit", prop: valPropCloseDate, raw: "2024-01-17T19:55:04.2Z", want: "2024-01-17T19:55:04.200Z", num: valNum(valMs20240117T195504281 - 81)},
		{name: "datetime nanoseconds truncated", prop: valPropCloseDate, raw: "2024-01-17T19:55:04.281999999Z", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime positive offset to UTC", prop: valPropCloseDate, raw: "2024-01-17T21:55:04.281+02:00", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime negative offset to UTC", prop: valPropCloseDate, raw: "2024-01-17T14:55:04.281-05:00", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime half-hour offset across day", prop: valPropCloseDate, raw: "2024-01-18T01:25:04.281+05:30", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime basic offset", prop: valPropCloseDate, raw: "2024-01-17T21:55:04.281+0200", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime hour offset", prop: valPropCloseDate, raw: "2024-01-17T21:55:04.281+02", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime without zone is UTC", prop: valPropCloseDate, raw: "2024-01-17T19:55:04", want: "2024-01-17T19:55:04.000Z", num: valNum(valMs20240117T195504281 - 281)},
		{name: "datetime without zone with fraction", prop: valPropCloseDate, raw: "2024-01-17T19:55:04.281", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime without seconds", prop: valPropCloseDate, raw: "2024-01-17T19:55Z", want: "2024-01-17T19:55:00.000Z", num: valNum(valMs20240117T195504281 - 4281)},
		{name: "datetime space separator", prop: valPropCloseDate, raw: "2024-01-17 19:55:04.281Z", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime lower case", prop: valPropCloseDate, raw: "2024-01-17t19:55:04.281z", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime date only is midnight UTC", prop: valPropCloseDate, raw: "2024-01-17", want: "2024-01-17T00:00:00.000Z", num: valNum(valMs20240117)},
		{name: "datetime epoch ms", prop: valPropCloseDate, raw: "1705521304281", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime epoch zero", prop: valPropCloseDate, raw: "0", want: "1970-01-01T00:00:00.000Z", num: valNum(0)},
		{name: "datetime negative epoch ms", prop: valPropCloseDate, raw: "-1", want: "1969-12-31T23:59:59.999Z", num: valNum(-1)},
		{name: "datetime spaces", prop: valPropCloseDate, raw: "  1705521304281 ", want: "2024-01-17T19:55:04.281Z", num: valNum(valMs20240117T195504281)},
		{name: "datetime bad offset", prop: valPropCloseDate, raw: "2024-01-17T19:55:04+25:00", code: CodeInvalidDateTime,
			msg: []string{`Property "closedate" value "2024-01-17T19:55:04+25:00" is not a valid datetime`}},
		{name: "datetime bad month", prop: valPropCloseDate, raw: "2024-13-01T00:00:00Z", code: CodeInvalidDateTime},
		{name: "datetime word", prop: valPropCloseDate, raw: "yesterday", code: CodeInvalidDateTime},
		{name: "datetime zone name", prop: valPropCloseDate, raw: "2024-01-17T19:55:04 UTC", code: CodeInvalidDateTime},
		{name: "datetime prose", prop: valPropCloseDate, raw: "17 Jan 2024", code: CodeInvalidDateTime},
		{name: "datetime year 10000 in UTC", prop: valPropCloseDate, raw: "9999-12-31T23:30:00-01:00", code: CodeInvalidDateTime, msg: []string{"year"}},
		{name: "datetime fractional epoch", prop: valPropCloseDate, raw: "1705521304281.5", code: CodeInvalidDateTime},

		// bool.
		{name: "bool true", prop: valPropOptOut, raw: "true", want: "true"},
		{name: "bool TRUE", prop: valPropOptOut, raw: "TRUE", want: "true"},
		{name: "bool False spaced", prop: valPropOptOut, raw: " False ", want: "false"},
		{name: "bool yes", prop: valPropOptOut, raw: "yes", want: "true"},
		{name: "bool No", prop: valPropOptOut, raw: "No", want: "false"},
		{name: "bool 1", prop: valPropOptOut, raw: "1", want: "true"},
		{name: "bool 0", prop: valPropOptOut, raw: "0", want: "false"},
		{name: "bool on", prop: valPropOptOut, raw: "on", want: "true"},
		{name: "bool OFF", prop: valPropOptOut, raw: "OFF", want: "false"},
		{name: "bool maybe", prop: valPropOptOut, raw: "maybe", code: CodeInvalidBoolean,
			msg: []string{`Property "hs_email_optout" value "maybe" is not a valid boolean`}},
		{name: "bool 2", prop: valPropOptOut, raw: "2", code: CodeInvalidBoolean},
		{name: "bool y", prop: valPropOptOut, raw: "y", code: CodeInvalidBoolean},
		{name: "bool blank", prop: valPropOptOut, raw: " ", code: CodeInvalidBoolean},

		// enumeration, single value.
		{name: "enum exact value", prop: valPropLeadStatus, raw: "NEW", want: "NEW"},
		{name: "enum trimmed", prop: valPropLeadStatus, raw: " OPEN ", want: "OPEN"},
		{name: "enum value any case", prop: valPropLeadStatus, raw: "in_progress", want: "IN_PROGRESS"},
		{name: "enum label", prop: valPropLeadStatus, raw: "In progress", want: "IN_PROGRESS"},
		{name: "enum label any case", prop: valPropLeadStatus, raw: "IN PROGRESS", want: "IN_PROGRESS"},
		{name: "enum hidden option", prop: valPropLeadStatus, raw: "BAD_TIMING", want: "BAD_TIMING"},
		{name: "enum exact match wins over case", prop: valPropCase, raw: "a", want: "a"},
		{name: "enum exact match wins over case upper", prop: valPropCase, raw: "A", want: "A"},
		{name: "enum value match wins over label", prop: valPropCase, raw: "X", want: "x"},
		{name: "enum label match", prop: valPropCase, raw: "lower", want: "a"},
		{name: "enum unknown", prop: valPropLeadStatus, raw: "CLOSED", code: CodeInvalidOption,
			msg: []string{`Property "hs_lead_status" value "CLOSED" is not a valid option`, `"NEW", "OPEN", "IN_PROGRESS", "BAD_TIMING"`}},
		{name: "enum blank", prop: valPropLeadStatus, raw: "  ", code: CodeInvalidOption},
		{name: "enum list of allowed values is cut at 20", prop: valPropMany, raw: "o25", code: CodeInvalidOption,
			msg: []string{`"o0", "o1"`, `"o19", ...`}},
		{name: "enum without options", prop: valPropNone, raw: "x", code: CodeInvalidOption, msg: []string{"(none)"}},
		{name: "enum semicolon is not a separator for single select", prop: valPropLeadStatus, raw: "NEW;OPEN", code: CodeInvalidOption},
		{name: "booleancheckbox enum value", prop: valPropYesNo, raw: "true", want: "true"},
		{name: "booleancheckbox enum label", prop: valPropYesNo, raw: "Yes", want: "true"},
		{name: "booleancheckbox enum upper", prop: valPropYesNo, raw: "FALSE", want: "false"},
		{name: "booleancheckbox enum unknown", prop: valPropYesNo, raw: "maybe", code: CodeInvalidOption},
		{name: "external options skip the check", prop: valPropOwner, raw: " 12345 ", want: "12345"},
		{name: "external options accept any text", prop: valPropOwner, raw: "anything", want: "anything"},
		{name: "external options blank", prop: valPropOwner, raw: " ", code: CodeInvalidOption},

		// enumeration, multiple values.
		{name: "multi two values", prop: valPropCategory, raw: "PRODUCT_ISSUE;BILLING_ISSUE", want: "PRODUCT_ISSUE;BILLING_ISSUE"},
		{name: "multi dedupe keeps first order", prop: valPropCategory, raw: "BILLING_ISSUE; product_issue ;;BILLING_ISSUE;Product issue",
			want: "BILLING_ISSUE;PRODUCT_ISSUE"},
		{name: "multi empty items dropped", prop: valPropCategory, raw: ";FEATURE_REQUEST;", want: "FEATURE_REQUEST"},
		{name: "multi hidden option", prop: valPropCategory, raw: "GENERAL_INQUIRY", want: "GENERAL_INQUIRY"},
		{name: "multi bad item", prop: valPropCategory, raw: "PRODUCT_ISSUE;NOPE", code: CodeInvalidOption,
			msg: []string{`Property "hs_ticket_category" value "PRODUCT_ISSUE;NOPE"`, `"NOPE" is not allowed`, `"PRODUCT_ISSUE", "BILLING_ISSUE"`}},
		{name: "multi only separators", prop: valPropCategory, raw: " ; ;", code: CodeInvalidOption},
		{name: "multi external options", prop: valPropTeams, raw: " a ; b;a;", want: "a;b"},

		// string-like values.
		{name: "string kept as given", prop: valPropFirst, raw: "  Jane  ", want: "  Jane  "},
		{name: "string case kept", prop: valPropFirst, raw: "McDONALD", want: "McDONALD"},
		{name: "string 65,536 characters", prop: valPropFirst, raw: long("é", 65536), want: long("é", 65536)},
		{name: "string 65,537 characters", prop: valPropFirst, raw: long("é", 65537), code: CodeValueTooLong,
			msg: []string{`Property "firstname" value "éé`, "65537 characters", "65536"}},
		{name: "string invalid UTF-8", prop: valPropFirst, raw: "ab\xffcd", code: CodeInvalidValue,
			msg: []string{`Property "firstname" value "ab\xffcd" is not valid UTF-8`}},
		{name: "phone kept as given", prop: valPropPhone, raw: "+1 (555) 010-9999", want: "+1 (555) 010-9999"},
		{name: "phone 65,537 characters", prop: valPropPhone, raw: long("1", 65537), code: CodeValueTooLong},
		{name: "coordinates as string", prop: valPropCoords, raw: " 48.85,2.35 ", want: " 48.85,2.35 "},
		{name: "json as string", prop: valPropJSON, raw: `{"a": 1}`, want: `{"a": 1}`},
		{name: "json 65,537 characters", prop: valPropJSON, raw: long("x", 65537), code: CodeValueTooLong},
		{name: "other email-like property not checked", prop: valPropWork, raw: "not an email", want: "not an email"},
		{name: "unknown type", prop: valPropUnknown, raw: "1", code: CodeInvalidValue, msg: []string{`"currency"`}},

		// email.
		{name: "email trimmed and lower-cased", prop: valPropEmail, raw: " Jane.Doe@Example.COM ", want: "jane.doe@example.com"},
		{name: "email plus tag", prop: valPropEmail, raw: "jane+crm@mail.example.co.uk", want: "jane+crm@mail.example.co.uk"},
		{name: "email no at", prop: valPropEmail, raw: "jane", code: CodeInvalidEmail,
			msg: []string{`Property "email" value "jane" is not a valid email address`}},
		{name: "email domain without dot", prop: valPropEmail, raw: "jane@example", code: CodeInvalidEmail},
		{name: "email display name", prop: valPropEmail, raw: "Jane <jane@example.com>", code: CodeInvalidEmail},
		{name: "email angle brackets", prop: valPropEmail, raw: "<jane@example.com>", code: CodeInvalidEmail},
		{name: "email comment", prop: valPropEmail, raw: "jane@example.com (Jane)", code: CodeInvalidEmail},
		{name: "email two at", prop: valPropEmail, raw: "jane@@example.com", code: CodeInvalidEmail},
		{name: "email quoted at", prop: valPropEmail, raw: `"a@b"@example.com`, code: CodeInvalidEmail},
		{name: "email quoted space", prop: valPropEmail, raw: `"a b"@example.com`, code: CodeInvalidEmail},
		{name: "email space in local part", prop: valPropEmail, raw: "ja ne@example.com", code: CodeInvalidEmail},
		{name: "email space in domain", prop: valPropEmail, raw: "jane@exa mple.com", code: CodeInvalidEmail},
		{name: "email address literal", prop: valPropEmail, raw: "jane@[192.0.2.1]", code: CodeInvalidEmail},
		{name: "email double dot", prop: valPropEmail, raw: "jane@example..com", code: CodeInvalidEmail},
		{name: "email trailing dot", prop: valPropEmail, raw: "jane@example.com.", code: CodeInvalidEmail},
		{name: "email two addresses", prop: valPropEmail, raw: "a@example.com, b@example.com", code: CodeInvalidEmail},
		{name: "email blank", prop: valPropEmail, raw: "   ", code: CodeInvalidEmail},
		{name: "email 65,537 characters", prop: valPropEmail, raw: long("a", 65525) + "@example.com", code: CodeValueTooLong},
		{name: "additional emails list", prop: valPropEmails, raw: "A@x.com; b@y.org;a@X.com;", want: "a@x.com;b@y.org"},
		{name: "additional emails bad item", prop: valPropEmails, raw: "a@x.com;nope", code: CodeInvalidEmail,
			msg: []string{`Property "hs_additional_emails" value "a@x.com;nope"`, `"nope" is not a valid email address`}},
		{name: "additional emails only separators", prop: valPropEmails, raw: ";", code: CodeInvalidEmail},

		// domain.
		{name: "domain trimmed only", prop: valPropDomain, raw: "  https://www.Example.com/ ", want: "https://www.Example.com/"},
		{name: "domain blank", prop: valPropDomain, raw: "  ", code: CodeInvalidValue, msg: []string{`Property "domain"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, gotNum, perr := normalizeValue(tc.prop, tc.raw)
			if tc.code != "" {
				if perr == nil {
					t.Fatalf("normalizeValue(%s, %q) = %q, want error %s", tc.prop.Name, valShort(tc.raw), valShort(got), tc.code)
				}
				if perr.Code != tc.code {
					t.Errorf("code = %s, want %s (message %q)", perr.Code, tc.code, perr.Message)
				}
				if perr.Property != tc.prop.Name {
					t.Errorf("Property = %q, want %q", perr.Property, tc.prop.Name)
				}
				want := append([]string{fmt.Sprintf("Property %q value ", tc.prop.Name)}, tc.msg...)
				if len(tc.raw) <= 100 {
					want = append(want, fmt.Sprintf("value %q", tc.raw))
				}
				for _, w := range want {
					if !strings.Contains(perr.Message, w) {
						t.Errorf("message %q does not contain %q", valShort(perr.Message), w)
					}
				}
				if len(perr.Message) > 1000 {
					t.Errorf("message is %d bytes long; refused values must be cut", len(perr.Message))
				}
				if got != "" || gotNum != nil {
					t.Errorf("refused value returned canonical %q, num %v", valShort(got), gotNum)
				}
				return
			}
			if perr != nil {
				t.Fatalf("normalizeValue(%s, %q): unexpected error %s: %s", tc.prop.Name, valShort(tc.raw), perr.Code, perr.Message)
			}
			if got != tc.want {
				t.Errorf("canonical = %q, want %q", valShort(got), valShort(tc.want))
			}
			switch {
			case tc.num == nil && gotNum != nil:
				t.Errorf("num = %v, want nil", *gotNum)
			case tc.num != nil && gotNum == nil:
				t.Errorf("num = nil, want %v", *tc.num)
			case tc.num != nil && (*gotNum != *tc.num || math.Signbit(*gotNum) != math.Signbit(*tc.num)):
				t.Errorf("num = %v, want %v", *gotNum, *tc.num)
			}
		})
	}
}

// TestNormalizeValueNumFor checks which types return a numeric form.
func TestNormalizeValueNumFor(t *testing.T) {
	for _, tc := range []struct {
		prop    *Property
		raw     string
		wantNum bool
	}{
		{valPropAmount, "1", true},
		{valPropBirthday, "2024-01-17", true},
		{valPropCloseDate, "2024-01-17", true},
		{valPropOptOut, "1", false},
		{valPropLeadStatus, "NEW", false},
		{valPropFirst, "1", false},
		{valPropPhone, "1", false},
	} {
		t.Run(tc.prop.Type, func(t *testing.T) {
			_, n, perr := normalizeValue(tc.prop, tc.raw)
			if perr != nil {
				t.Fatal(perr.Message)
			}
			if (n != nil) != tc.wantNum {
				t.Errorf("num present = %v, want %v", n != nil, tc.wantNum)
			}
		})
	}
}

// TestNormalizeValueIdempotent checks that a canonical value normalises to itself.
func TestNormalizeValueIdempotent(t *testing.T) {
	for _, tc := range []struct {
		prop *Property
		raw  string
	}{
		{valPropAmount, " -001.2500e2 "},
		{valPropAmount, "12345678901234567890.5"},
		{valPropBirthday, "2024-01-17T22:00:00-05:00"},
		{valPropCloseDate, "2024-01-17T21:55:04.281+02:00"},
		{valPropOptOut, "yes"},
		{valPropLeadStatus, "in progress"},
		{valPropCategory, "billing issue;PRODUCT_ISSUE;billing_issue"},
		{valPropEmail, " A@B.example "},
		{valPropEmails, "B@x.com;a@x.com"},
		{valPropDomain, " Example.com "},
	} {
		t.Run(tc.prop.Name, func(t *testing.T) {
			first, n1, perr := normalizeValue(tc.prop, tc.raw)
			if perr != nil {
				t.Fatal(perr.Message)
			}
			second, n2, perr := normalizeValue(tc.prop, first)
			if perr != nil {
				t.Fatalf("canonical %q refused: %s", first, perr.Message)
			}
			if second != first {
				t.Errorf("normalising %q again gave %q", first, second)
			}
			if (n1 == nil) != (n2 == nil) || (n1 != nil && *n1 != *n2) {
				t.Errorf("num changed from %v to %v", n1, n2)
			}
		})
	}
}

func TestUniqueKey(t *testing.T) {
	for _, tc := range []struct {
		name      string
		prop      *Property
		canonical string
		want      string
	}{
		{"email lower-cased", valPropEmail, "Jane.Doe@Example.COM", "jane.doe@example.com"},
		{"email trimmed", valPropEmail, "  jane@example.com\t", "jane@example.com"},
		{"domain URL", valPropDomain, "https://www.Example.com:443/path?q=1", "example.com"},
		{"domain bare", valPropDomain, "example.com", "example.com"},
		{"domain upper", valPropDomain, "  EXAMPLE.com ", "example.com"},
		{"domain www", valPropDomain, "www.example.com", "example.com"},
		{"domain trailing dot", valPropDomain, "Example.com.", "example.com"},
		{"domain port only", valPropDomain, "example.com:8080", "example.com"},
		{"domain path only", valPropDomain, "example.com/about", "example.com"},
		{"domain query only", valPropDomain, "example.com?x=1", "example.com"},
		{"domain fragment", valPropDomain, "example.com#top", "example.com"},
		{"domain http scheme", valPropDomain, "http://example.co.uk/", "example.co.uk"},
		{"domain scheme-relative", valPropDomain, "//cdn.example.com/x.js", "cdn.example.com"},
		{"domain user info", valPropDomain, "https://user:pw@WWW.example.com/", "example.com"},
		{"domain sub-domain kept", valPropDomain, "https://app.example.com", "app.example.com"},
		{"domain www only stripped once", valPropDomain, "www.www.example.com", "www.example.com"},
		{"domain www.com kept", valPropDomain, "www.com", "www.com"},
		{"domain IPv6", valPropDomain, "http://[2001:db8::1]:8080/", "[2001:db8::1]"},
		{"domain trailing dot before port", valPropDomain, "https://example.com.:443", "example.com"},
		{"other property trimmed", valPropFirst, "  Jane  ", "Jane"},
		{"other property keeps case", valPropFirst, "McDonald", "McDonald"},
		{"work email keeps case", valPropWork, "Jane@Example.com", "Jane@Example.com"},
		{"number", valPropAmount, "1.5", "1.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := uniqueKey(tc.prop, tc.canonical); got != tc.want {
				t.Errorf("uniqueKey(%s, %q) = %q, want %q", tc.prop.Name, tc.canonical, got, tc.want)
			}
		})
	}
}

func TestNormalizeDomain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://www.Example.com:443/path?q=1", "example.com"},
		{"HTTP://WWW.EXAMPLE.COM", "example.com"},
		{"example.com", "example.com"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := NormalizeDomain(tc.in); got != tc.want {
				t.Errorf("NormalizeDomain(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{" Jane@Example.COM\n", "jane@example.com"},
		{"jane@example.com", "jane@example.com"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := NormalizeEmail(tc.in); got != tc.want {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// short cuts long strings in test failure messages.
func valShort(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}
