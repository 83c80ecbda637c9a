package sqlstore

import (
	"testing"

	"github.com/statusd/statusd/store/storetest"
)

func TestMaintenanceSuite(t *testing.T) { onEveryBackend(t, storetest.RunMaintenanceSuite) }
