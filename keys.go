package onboard

// WithKeys gives each item of a bulk run the caller's own key: a CSV row
// number computed from index, a database id read from item. The run
// carries it to the item's Outcome.Key, to BatchEvent.Keys and to the
// run's journal, so that no map from index back to row is needed. T must
// be the run's item type (Invitee, WorkspaceUser or Target); any other is
// an error reported before anything is sent. key is called once per item,
// in input order, on the goroutine that runs the run.
//
// A journal keeps the keys, in plain text: choose keys that may be kept
// where the journal is.
func WithKeys[T any](key func(index int, item T) string) BulkOption {
	return func(s *bulkSettings) {
		if key == nil {
			s.problems.Add("WithKeys", "the key function is nil")
			return
		}
		s.keys = key
	}
}

// keyFunc returns the run's key function, nil without WithKeys, noting in
// r.set.problems a function of another item type.
func (r *batchRun[T]) keyFunc() func(int, T) string {
	if r.set.keys == nil {
		return nil
	}
	fn, ok := r.set.keys.(func(int, T) string)
	if !ok {
		var zero T
		r.set.problems.Add("WithKeys", "is given a %T, but this run's items are %T: pass a func(int, %T) string", r.set.keys, zero, zero)
	}
	return fn
}
