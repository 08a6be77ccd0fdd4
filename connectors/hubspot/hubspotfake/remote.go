package hubspotfake

import (
	"fmt"
	"strconv"
)

// These methods change the fake's data directly, as a user of HubSpot's UI would, bypassing
// auth, limits and faults. They validate values like the API does.

// Put creates a record of object and returns its id.
func (s *Server) Put(object string, fields map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.data.object(object)
	if !ok {
		return "", fmt.Errorf("unknown object %q", object)
	}
	if e := s.data.validate(o, 0, fields); e != nil {
		return "", fmt.Errorf("create %s: %w", object, e)
	}
	return strconv.FormatInt(s.data.create(o, fields, s.now().UnixMilli()).id, 10), nil
}

// PutMany creates n records of object, the i-th with fields(i), in one lock, reading the clock
// for each; for seeding benchmarks. Values are not validated.
func (s *Server) PutMany(object string, n int, fields func(i int) map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.data.object(object)
	if !ok {
		return fmt.Errorf("unknown object %q", object)
	}
	for i := range n {
		s.data.create(o, fields(i), s.now().UnixMilli())
	}
	return nil
}

// Update sets fields of a live record; an empty value clears the field.
func (s *Server) Update(object, id string, fields map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, rec, err := s.liveRecord(object, id)
	if err != nil {
		return err
	}
	if e := s.data.validate(o, rec.id, fields); e != nil {
		return fmt.Errorf("update %s %s: %w", object, id, e)
	}
	o.update(rec, fields, s.now().UnixMilli())
	return nil
}

// Delete archives a live record.
func (s *Server) Delete(object, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, rec, err := s.liveRecord(object, id)
	if err != nil {
		return err
	}
	o.archive(rec, s.now().UnixMilli())
	return nil
}

// Get returns a live record's stored fields (system properties included); false when it is
// missing or archived.
func (s *Server) Get(object, id string) (map[string]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, rec, err := s.liveRecord(object, id)
	if err != nil {
		return nil, false
	}
	out := map[string]string{}
	for name := range o.props {
		if v, ok := o.value(rec, name); ok {
			out[name] = v
		}
	}
	return out, true
}

// Len is the number of live records of object.
func (s *Server) Len(object string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.data.object(object)
	if !ok {
		return 0
	}
	n := 0
	for _, r := range o.records {
		if !r.archived {
			n++
		}
	}
	return n
}

// Associated returns the ids of to records linked to from record id.
func (s *Server) Associated(from, to, id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	fo, ok1 := s.data.object(from)
	to2, ok2 := s.data.object(to)
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok1 || !ok2 || err != nil {
		return nil
	}
	var out []string
	for _, t := range s.data.assoc[fo.name+"/"+to2.name][n] {
		out = append(out, strconv.FormatInt(t, 10))
	}
	return out
}

func (s *Server) liveRecord(object, id string) (*object, *record, error) {
	o, ok := s.data.object(object)
	if !ok {
		return nil, nil, fmt.Errorf("unknown object %q", object)
	}
	rec := o.live(id)
	if rec == nil {
		return nil, nil, fmt.Errorf("%s %s does not exist", object, id)
	}
	return o, rec, nil
}
