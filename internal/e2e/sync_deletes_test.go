package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/syncengine"
)

// seedLinked creates n contacts on A and syncs them, returning A's and B's ids by index.
func seedLinked(p *pair, n int) (local []int64, remote []int64) {
	p.t.Helper()
	for i := range n {
		local = append(local, p.create(p.local, map[string]string{"email": fmt.Sprintf("d%d@example.com", i), "firstname": fmt.Sprintf("D%d", i)}))
	}
	p.run(false)
	byEmail := contacts(p.t, p.remote.store)
	for i := range n {
		r := byEmail[fmt.Sprintf("d%d@example.com", i)]
		if r == nil {
			p.t.Fatalf("contact %d did not reach the remote", i)
		}
		remote = append(remote, r.ID)
	}
	return local, remote
}

func TestDeleteOnOneSideAndEditOnTheOther(t *testing.T) {
	const victim = "d3@example.com"
	tests := []struct {
		name string
		// change deletes and edits contact 3 on the two sides.
		change func(p *pair, local, remote int64)
		full   bool
		// onA and onB say whether contact 3 is live on each side afterwards, with firstname.
		onA, onB  bool
		firstname string
	}{
		{name: "local delete", full: false, onA: false, onB: false,
			change: func(p *pair, l, _ int64) { p.archive(p.local, l) }},
		{name: "remote delete", full: true, onA: false, onB: false,
			change: func(p *pair, _, r int64) { p.archive(p.remote.store, r) }},
		{name: "local delete then later remote edit restores", full: false, onA: true, onB: true, firstname: "Edited",
			change: func(p *pair, l, r int64) {
				p.archive(p.local, l)
				p.update(p.remote.store, r, map[string]string{"firstname": "Edited"})
			}},
		{name: "remote edit then later local delete deletes", full: false, onA: false, onB: false,
			change: func(p *pair, l, r int64) {
				p.update(p.remote.store, r, map[string]string{"firstname": "Edited"})
				p.archive(p.local, l)
			}},
		{name: "remote delete and local edit keeps the edit", full: true, onA: true, onB: true, firstname: "Edited",
			change: func(p *pair, l, r int64) {
				p.archive(p.remote.store, r)
				p.update(p.local, l, map[string]string{"firstname": "Edited"})
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, contactsSpec(nil))
			local, remote := seedLinked(p, 20)
			tc.change(p, local[3], remote[3])
			if rep := p.run(tc.full); rep.Status != syncengine.RunSucceeded {
				t.Fatalf("run = %+v, want succeeded", rep)
			}
			// A further run settles anything the first left for later, and then nothing moves.
			p.converge(tc.full, 3)

			a, b := contacts(t, p.local), contacts(t, p.remote.store)
			if (a[victim] != nil) != tc.onA || (b[victim] != nil) != tc.onB {
				t.Errorf("contact 3 live on A %v and on B %v, want %v and %v", a[victim] != nil, b[victim] != nil, tc.onA, tc.onB)
			}
			sameContacts(t, a, b)
			want := 19
			if tc.onA {
				want = 20
			}
			if len(a) != want {
				t.Errorf("A holds %d contacts, want %d", len(a), want)
			}
			if tc.onA {
				if got := a[victim].Properties["firstname"]; got != tc.firstname {
					t.Errorf("contact 3's firstname = %q, want %q", got, tc.firstname)
				}
				if a[victim].ID != local[3] {
					t.Errorf("contact 3 is record %d on A, want the original %d", a[victim].ID, local[3])
				}
			}
		})
	}
}

func TestMassDeleteGuardPausesAndDeletesNothing(t *testing.T) {
	for _, side := range []string{"remote", "local"} {
		t.Run("half deleted on the "+side, func(t *testing.T) {
			p := newPair(t, contactsSpec(nil))
			local, remote := seedLinked(p, 20)
			for i := range 10 {
				if side == "remote" {
					p.archive(p.remote.store, remote[i])
				} else {
					p.archive(p.local, local[i])
				}
			}
			rep, err := p.engine.Run(p.ctx, peerName, syncengine.RunOptions{Full: true})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if rep.Status != syncengine.RunPaused || !strings.Contains(rep.Error, "max_delete_percent") {
				t.Errorf("run = %+v, want paused by the mass-delete guard", rep)
			}
			if rep.DeletedLocal != 0 || rep.DeletedRemote != 0 {
				t.Errorf("guarded run deleted %d local and %d remote records", rep.DeletedLocal, rep.DeletedRemote)
			}
			// The untouched side still holds all 20.
			untouched := map[string]int{"remote": len(contacts(t, p.local)), "local": len(contacts(t, p.remote.store))}[side]
			if untouched != 20 {
				t.Errorf("the side the records were not deleted on holds %d contacts, want 20", untouched)
			}
			st, err := p.engine.Status(p.ctx, peerName)
			if err != nil {
				t.Fatal(err)
			}
			if st.State != syncengine.StatePaused || st.PendingDelete != 10 || !strings.Contains(st.Reason, "10 of 20") {
				t.Errorf("status = %+v, want paused with 10 deletions pending and the reason", st)
			}
			if _, err := p.engine.Run(p.ctx, peerName, syncengine.RunOptions{}); err == nil || !strings.Contains(err.Error(), "paused") {
				t.Errorf("run while paused: %v, want ErrPaused", err)
			}

			// The operator approves: the deletions go through, on both sides alike.
			if err := p.engine.Resume(p.ctx, peerName, true); err != nil {
				t.Fatal(err)
			}
			p.run(false)
			a, b := contacts(t, p.local), contacts(t, p.remote.store)
			if len(a) != 10 || len(b) != 10 {
				t.Errorf("after the approved deletions A holds %d and B %d contacts, want 10 each", len(a), len(b))
			}
			sameContacts(t, a, b)
		})
	}
}

func TestMassDeleteGuardDroppedDeletionsStayOnBothSides(t *testing.T) {
	p := newPair(t, contactsSpec(nil))
	local, _ := seedLinked(p, 20)
	for i := range 10 {
		p.archive(p.local, local[i])
	}
	if rep, err := p.engine.Run(p.ctx, peerName, syncengine.RunOptions{}); err != nil || rep.Status != syncengine.RunPaused {
		t.Fatalf("run = %+v, %v; want paused", rep, err)
	}
	if err := p.engine.Resume(p.ctx, peerName, false); err != nil {
		t.Fatal(err)
	}
	p.run(false)
	p.run(true)
	if n := len(contacts(t, p.remote.store)); n != 20 {
		t.Errorf("B holds %d contacts after the deletions were dropped, want all 20", n)
	}
	if n := len(contacts(t, p.local)); n != 10 {
		t.Errorf("A holds %d live contacts, want the 10 it kept", n)
	}
}
