package onboardriver

// SetTestSyncHook makes every journal Sync call f before it commits.
func SetTestSyncHook(f func()) { testSyncHook = f }
