package crmstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Owner types.
const (
	OwnerPerson = "PERSON"
	OwnerQueue  = "QUEUE"
)

// Owner ids start here, so they look like HubSpot's and never collide with
// small numbers typed by mistake.
const firstOwnerID = 10000001

// Owner page sizes.
const (
	defaultOwnerLimit = 100
	maxOwnerLimit     = 500
)

// Owner is a user records can be assigned to (hubspot_owner_id holds its id).
type Owner struct {
	ID        int64     `json:"id,string"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	UserID    int64     `json:"userId"`
	Type      string    `json:"type"` // PERSON or QUEUE
	Teams     []Team    `json:"teams"`
	Archived  bool      `json:"archived"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Team is a team an owner belongs to.
type Team struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

// OwnerInput creates an owner. Email is required; Type defaults to PERSON
// and UserID to the owner's id.
type OwnerInput struct {
	Email     string
	FirstName string
	LastName  string
	UserID    int64
	Type      string
	Teams     []Team
}

// OwnerUpdate changes an owner; nil fields are left as they are.
type OwnerUpdate struct {
	Email     *string
	FirstName *string
	LastName  *string
	UserID    *int64
	Type      *string
	Teams     *[]Team
}

// OwnerListOptions selects a page of owners, ordered by id.
type OwnerListOptions struct {
	// Email keeps only the owner with this email (case-insensitive).
	Email string
	// After is the id the page starts after (exclusive).
	After int64
	// Limit defaults to 100 and is at most 500.
	Limit int
	// Archived lists archived owners instead of live ones.
	Archived bool
}

// ownerRow is a row of the owners table.
type ownerRow struct {
	ID         int64  `db:"id"`
	Email      string `db:"email"`
	FirstName  string `db:"first_name"`
	LastName   string `db:"last_name"`
	UserID     *int64 `db:"user_id"`
	Type       string `db:"type"`
	Teams      string `db:"teams"`
	ArchivedAt *int64 `db:"archived_at"`
	CreatedAt  int64  `db:"created_at"`
	UpdatedAt  int64  `db:"updated_at"`
}

const ownerColumns = "id, email, first_name, last_name, user_id, type, teams, archived_at, created_at, updated_at"

func (r ownerRow) owner() *Owner {
	o := &Owner{
		ID: r.ID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, UserID: r.ID, Type: r.Type,
		Archived: r.ArchivedAt != nil, CreatedAt: msTime(r.CreatedAt), UpdatedAt: msTime(r.UpdatedAt),
	}
	if r.UserID != nil {
		o.UserID = *r.UserID
	}
	_ = json.Unmarshal([]byte(r.Teams), &o.Teams)
	if o.Teams == nil {
		o.Teams = []Team{}
	}
	return o
}

// ownerEmail validates and normalises an owner's email: a bare address as
// net/mail parses it, lower-cased.
func ownerEmail(raw string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(raw))
	if e == "" {
		return "", invalidf("owner email is required")
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e || strings.Count(e, "@") != 1 {
		return "", invalidf("owner email %q is not a valid email address", raw)
	}
	return e, nil
}

// ownerType validates an owner type; "" means PERSON.
func ownerType(raw string) (string, error) {
	switch v := strings.ToUpper(strings.TrimSpace(raw)); v {
	case "":
		return OwnerPerson, nil
	case OwnerPerson, OwnerQueue:
		return v, nil
	}
	return "", invalidf("owner type %q is not one of %s, %s", raw, OwnerPerson, OwnerQueue)
}

// ownerTeams validates teams and encodes them as JSON.
func ownerTeams(teams []Team) (string, error) {
	if teams == nil {
		teams = []Team{}
	}
	seen := map[string]bool{}
	primary := 0
	for _, tm := range teams {
		if strings.TrimSpace(tm.ID) == "" {
			return "", invalidf("owner team needs an id")
		}
		if seen[tm.ID] {
			return "", invalidf("owner team %q is listed twice", tm.ID)
		}
		seen[tm.ID] = true
		if tm.Primary {
			primary++
		}
	}
	if primary > 1 {
		return "", invalidf("an owner has at most one primary team")
	}
	b, err := json.Marshal(teams)
	if err != nil {
		return "", fmt.Errorf("encode owner teams: %w", err)
	}
	return string(b), nil
}

// checkOwnerUnique refuses an email or user id held by another live owner.
func (t *tx) checkOwnerUnique(self int64, email string, userID int64) error {
	var id int64
	err := t.GetContext(t.ctx, &id, "SELECT id FROM owners WHERE email = ? AND archived_at IS NULL AND id <> ?", email, self)
	if err == nil {
		return &ConflictError{Property: "email", Value: email, ExistingID: id}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("check owner email: %w", err)
	}
	err = t.GetContext(t.ctx, &id, "SELECT id FROM owners WHERE user_id = ? AND archived_at IS NULL AND id <> ?", userID, self)
	if err == nil {
		return &ConflictError{Property: "userId", Value: strconv.FormatInt(userID, 10), ExistingID: id}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("check owner user id: %w", err)
	}
	return nil
}

// CreateOwner creates an owner. The email is required, lower-cased and
// unique among live owners (ConflictError otherwise); so is the user id.
func (s *Store) CreateOwner(ctx context.Context, in OwnerInput) (*Owner, error) {
	email, err := ownerEmail(in.Email)
	if err != nil {
		return nil, err
	}
	typ, err := ownerType(in.Type)
	if err != nil {
		return nil, err
	}
	teams, err := ownerTeams(in.Teams)
	if err != nil {
		return nil, err
	}
	if in.UserID < 0 {
		return nil, invalidf("owner user id must not be negative")
	}
	var out *Owner
	err = s.update(ctx, func(t *tx) error {
		id, err := t.nextSequence("owner", firstOwnerID)
		if err != nil {
			return fmt.Errorf("allocate owner id: %w", err)
		}
		userID := in.UserID
		if userID == 0 {
			userID = id
		}
		if err := t.checkOwnerUnique(id, email, userID); err != nil {
			return err
		}
		r := ownerRow{ID: id, Email: email, FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName),
			UserID: &userID, Type: typ, Teams: teams, CreatedAt: t.ms, UpdatedAt: t.ms}
		if _, err := t.ExecContext(t.ctx, `INSERT INTO owners (id, email, first_name, last_name, user_id, type, teams, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Email, r.FirstName, r.LastName, userID, r.Type, r.Teams, r.CreatedAt, r.UpdatedAt); err != nil {
			return fmt.Errorf("insert owner: %w", err)
		}
		out = r.owner()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateOwner changes a live owner and returns it as it now is.
func (s *Store) UpdateOwner(ctx context.Context, id int64, in OwnerUpdate) (*Owner, error) {
	var out *Owner
	err := s.update(ctx, func(t *tx) error {
		var r ownerRow
		err := t.GetContext(t.ctx, &r, "SELECT "+ownerColumns+" FROM owners WHERE id = ? AND archived_at IS NULL", id)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("owner", strconv.FormatInt(id, 10))
		}
		if err != nil {
			return fmt.Errorf("read owner %d: %w", id, err)
		}
		if in.Email != nil {
			if r.Email, err = ownerEmail(*in.Email); err != nil {
				return err
			}
		}
		if in.FirstName != nil {
			r.FirstName = strings.TrimSpace(*in.FirstName)
		}
		if in.LastName != nil {
			r.LastName = strings.TrimSpace(*in.LastName)
		}
		userID := r.ID
		if r.UserID != nil {
			userID = *r.UserID
		}
		if in.UserID != nil {
			if *in.UserID < 0 {
				return invalidf("owner user id must not be negative")
			}
			userID = *in.UserID
			if userID == 0 {
				userID = r.ID
			}
		}
		r.UserID = &userID
		if in.Type != nil {
			if r.Type, err = ownerType(*in.Type); err != nil {
				return err
			}
		}
		if in.Teams != nil {
			if r.Teams, err = ownerTeams(*in.Teams); err != nil {
				return err
			}
		}
		if err := t.checkOwnerUnique(r.ID, r.Email, userID); err != nil {
			return err
		}
		r.UpdatedAt = t.ms
		if _, err := t.ExecContext(t.ctx, `UPDATE owners SET email = ?, first_name = ?, last_name = ?, user_id = ?, type = ?, teams = ?, updated_at = ?
			WHERE id = ?`, r.Email, r.FirstName, r.LastName, userID, r.Type, r.Teams, r.UpdatedAt, r.ID); err != nil {
			return fmt.Errorf("update owner %d: %w", id, err)
		}
		out = r.owner()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ArchiveOwner archives a live owner. Records assigned to it keep their
// hubspot_owner_id; new writes of that id are refused.
func (s *Store) ArchiveOwner(ctx context.Context, id int64) error {
	return s.update(ctx, func(t *tx) error {
		res, err := t.ExecContext(t.ctx, "UPDATE owners SET archived_at = ?, updated_at = ? WHERE id = ? AND archived_at IS NULL", t.ms, t.ms, id)
		if err != nil {
			return fmt.Errorf("archive owner %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("owner", strconv.FormatInt(id, 10))
		}
		return nil
	})
}

// GetOwner returns a live owner, or with archived an archived one.
func (s *Store) GetOwner(ctx context.Context, id int64, archived bool) (*Owner, error) {
	return s.getOwner(ctx, "id", id, archived)
}

// GetOwnerByUserID returns the live owner with this user id, or with
// archived an archived one (the most recently archived when several).
func (s *Store) GetOwnerByUserID(ctx context.Context, userID int64, archived bool) (*Owner, error) {
	return s.getOwner(ctx, "user_id", userID, archived)
}

// getOwner reads an owner by id or user_id (col is one of those constants).
func (s *Store) getOwner(ctx context.Context, col string, v int64, archived bool) (*Owner, error) {
	q := "SELECT " + ownerColumns + " FROM owners WHERE " + col + " = ? AND archived_at IS NULL"
	if archived {
		q = "SELECT " + ownerColumns + " FROM owners WHERE " + col + " = ? AND archived_at IS NOT NULL ORDER BY archived_at DESC, id DESC LIMIT 1"
	}
	var r ownerRow
	err := s.r.GetContext(ctx, &r, q, v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("owner", strconv.FormatInt(v, 10))
	}
	if err != nil {
		return nil, fmt.Errorf("read owner %d: %w", v, err)
	}
	return r.owner(), nil
}

// ListOwners returns a page of owners ordered by id, and the After of the
// next page (0 on the last one).
func (s *Store) ListOwners(ctx context.Context, opts OwnerListOptions) ([]Owner, int64, error) {
	limit := pageLimit(opts.Limit, defaultOwnerLimit, maxOwnerLimit)
	q := "SELECT " + ownerColumns + " FROM owners WHERE id > ? AND archived_at IS NULL"
	if opts.Archived {
		q = "SELECT " + ownerColumns + " FROM owners WHERE id > ? AND archived_at IS NOT NULL"
	}
	args := []any{opts.After}
	if e := strings.TrimSpace(opts.Email); e != "" {
		q += " AND email = ?"
		args = append(args, strings.ToLower(e))
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, limit+1)
	var rows []ownerRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("list owners: %w", err)
	}
	rows, next := cutPage(rows, limit, func(r ownerRow) int64 { return r.ID })
	out := make([]Owner, len(rows))
	for i, r := range rows {
		out[i] = *r.owner()
	}
	return out, next, nil
}
