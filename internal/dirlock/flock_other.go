//go:build !unix

package dirlock

import (
	"errors"
	"os"
)

// tryLock fails: directory locks need flock(2).
func tryLock(*os.File) (bool, error) {
	return false, errors.New("lock directory: not supported on this system")
}
