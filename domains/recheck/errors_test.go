package recheck

import (
	"errors"

	"github.com/statusd/statusd/catalog"
)

func asNotFound(err error, nf **catalog.NotFoundError) bool { return errors.As(err, nf) }
