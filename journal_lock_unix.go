//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package onboard

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f without waiting, held until f is
// closed; a lock another open file holds, in this process or another, is
// errLocked.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLocked
		}
		return err
	}
}
