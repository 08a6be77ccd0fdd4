// Package schedule decides when the sync engine runs each connector: on its cron schedule, a
// full reconciliation on its reconcile schedule, and soon after local changes for connectors
// with push_on_change.
//
// One goroutine per connector owns that connector's timers, so a reload (Set) replaces one
// connector's schedule without touching the others. Every run started in this process, by a
// timer or by an operator (Run, Replay), passes one gate per connector, so two runs of one
// connector never overlap here; the engine's lease covers other processes on the same store.
//
// A tick that finds its connector running is skipped (the running run does the work it would
// have done). A reconciliation or a change-triggered run that finds it running is kept and
// starts as soon as the running one ends, since the running run may have read its inputs
// before the change or may not be a full one.
//
// Local changes are found by polling the store's change log (one cheap MAX(seq) query per
// poll interval); crmstore has no notification. A change counts for a connector unless the
// connector itself wrote it (source INTEGRATION:<name>), which is how a pull never echoes
// back as a push. Change runs are debounced: they start after Quiet without further changes,
// or MaxWait after the first change at the latest, so a burst of edits becomes one run and a
// local edit reaches the remote within PollInterval + MaxWait plus the run itself.
//
// Time comes from an injected Clock, so tests drive every timer without sleeping.
package schedule
