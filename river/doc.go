// Package onboardriver runs onboard imports that outgrow one process on
// River (Go-native jobs on PostgreSQL): an import is stored and split into
// shard jobs, workers in any number of processes run the shards through the
// SDK's bulk engine with their journals in PostgreSQL, and the outcomes are
// read back by import id.
//
// Credentials are never stored: each worker builds its own clients (see
// WorkerConfig). A Pacer in PostgreSQL spaces the requests of every worker
// that shares a credential.
//
// The package is named onboardriver, not river, so that it can be imported
// beside github.com/riverqueue/river without renaming either.
package onboardriver
