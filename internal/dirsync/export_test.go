package dirsync

import "time"

// SetMinTimeLeft shrinks the least time a scheduled run starts with, so tests of a pass's
// deadline need not wait half a minute.
func SetMinTimeLeft(s *Service, d time.Duration) { s.minTimeLeft = d }
