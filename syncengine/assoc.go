package syncengine

// Associations between the records of two synced objects, both ways.

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// assocPair is two objects of a connector whose associations sync; from
// comes before to in the connector's object order.
type assocPair struct{ from, to ObjectSpec }

func (p assocPair) key() string { return p.from.Object + "→" + p.to.Object }

// assocPairs lists every two objects the connector maps, when it can read
// and write associations.
func (rn *runner) assocPairs() []assocPair {
	if _, ok := rn.reg.conn.(connectors.Associator); !ok {
		return nil
	}
	objs := rn.reg.spec.Objects
	var out []assocPair
	for i := range objs {
		for j := i + 1; j < len(objs); j++ {
			out = append(out, assocPair{from: objs[i], to: objs[j]})
		}
	}
	return out
}

// remoteAssoc is what the remote says a page's records of one object are
// associated with among the records of other.
type remoteAssoc struct {
	pair  assocPair
	other ObjectSpec
	// links maps a remote id of the page's object to remote ids of other.
	links map[string][]string
}

// readAssociations reads, for the live records of a pulled page, their
// remote associations with every object the page's object pairs with, both
// pulling. Reading from both ends of each pair means an association is
// seen whichever of its records changed, and once both are linked: a pair
// whose other end is not linked yet is read again when that end's page is
// pulled. A pair the remote refuses to read is left out for the run.
func (or *objectRun) readAssociations(ctx context.Context, recs []connectors.Record) ([]remoteAssoc, error) {
	a, ok := or.reg.conn.(connectors.Associator)
	if !ok || or.dry {
		return nil, nil
	}
	var ids []string
	for _, r := range recs {
		if !r.Deleted {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var out []remoteAssoc
	for _, p := range or.assocPairs() {
		other, mine := p.otherThan(or.spec.Object)
		if !mine || !p.from.Direction.pulls() || !p.to.Direction.pulls() || or.assocOff[p.key()] != "" {
			continue
		}
		var links map[string][]string
		err := or.call(ctx, fmt.Sprintf("read %s→%s associations of %d records", or.spec.Remote, other.Remote, len(ids)), func(ctx context.Context) error {
			var err error
			links, err = a.Associations(ctx, or.spec.Remote, other.Remote, ids)
			return err
		})
		if connectors.IsPermanent(err) {
			or.assocOff[p.key()] = err.Error()
			or.e.log.Warn("remote refused to read associations", zap.String("connector", or.name), zap.String("pair", p.key()), zap.Error(err))
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, remoteAssoc{pair: p, other: other, links: links})
	}
	return out, nil
}

// otherThan returns the pair's other object when object is one of its two.
func (p assocPair) otherThan(object string) (ObjectSpec, bool) {
	switch object {
	case p.from.Object:
		return p.to, true
	case p.to.Object:
		return p.from, true
	}
	return ObjectSpec{}, false
}

// applyAssociations creates the local associations the remote has between
// linked records and the store lacks, with this connector's source so they
// are not pushed back. Associations are only ever added by sync: a removal
// on either side is not carried over (see doc.go).
func (or *objectRun) applyAssociations(ctx context.Context, assoc []remoteAssoc) error {
	for _, ra := range assoc {
		pairs, err := or.localPairs(ctx, ra)
		if err != nil {
			return err
		}
		missing, err := or.e.store.MissingAssociations(ctx, ra.pair.from.Object, ra.pair.to.Object, pairs)
		if err != nil {
			return err
		}
		failed, err := or.e.store.SyncAssociate(ctx, ra.pair.from.Object, ra.pair.to.Object, missing, or.src)
		if err != nil {
			return fmt.Errorf("associate %s: %w", ra.pair.key(), err)
		}
		for _, f := range failed {
			or.counts.Failed++
			or.e.log.Warn("store refused a pulled association", zap.String("connector", or.name), zap.String("pair", ra.pair.key()),
				zap.Int64("from", f.Pair.FromID), zap.Int64("to", f.Pair.ToID), zap.Error(f.Err))
		}
	}
	return nil
}

// localPairs maps remote associations to pairs of linked local records,
// oriented from the pair's first object to its second.
func (or *objectRun) localPairs(ctx context.Context, ra remoteAssoc) ([]crmstore.SyncAssociationPair, error) {
	var mine, others []string
	for id, to := range ra.links {
		mine = append(mine, id)
		others = append(others, to...)
	}
	if len(mine) == 0 {
		return nil, nil
	}
	myLinks, err := or.e.store.SyncLinksByRemote(ctx, or.name, or.spec.Object, mine)
	if err != nil {
		return nil, err
	}
	otherLinks, err := or.e.store.SyncLinksByRemote(ctx, or.name, ra.other.Object, others)
	if err != nil {
		return nil, err
	}
	forward := or.spec.Object == ra.pair.from.Object
	var pairs []crmstore.SyncAssociationPair
	for id, to := range ra.links {
		l, ok := myLinks[id]
		if !ok || l.State != crmstore.LinkLinked {
			continue
		}
		for _, t := range to {
			o, ok := otherLinks[t]
			if !ok || o.State != crmstore.LinkLinked {
				continue
			}
			if forward {
				pairs = append(pairs, crmstore.SyncAssociationPair{FromID: l.LocalID, ToID: o.LocalID})
			} else {
				pairs = append(pairs, crmstore.SyncAssociationPair{FromID: o.LocalID, ToID: l.LocalID})
			}
		}
	}
	return pairs, nil
}
