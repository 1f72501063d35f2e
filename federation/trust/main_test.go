package trust

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind (every store's
// committer is stopped by its cleanup).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
