package jobs_test

import (
	"context"
	"sync"
	"testing"

	"maintenant/app/jobs"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

// TestContractFees runs the contract-fee job on the demo (two running contracts whose current
// periods are not billed): twice in a row and three times at once, it drafts each period once.
func TestContractFees(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	clock := testutil.NewClock(testutil.DefaultNow)
	w := &jobs.ContractFeesWorker{DB: db, Now: clock.Now, Location: paris, Logger: quiet}
	var wg sync.WaitGroup
	total := 0
	var mu sync.Mutex
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.Run(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if n, err := w.Run(ctx); err != nil || n != 0 {
		t.Fatalf("second run drafted %d, %v", n, err)
	}
	var drafts int
	if err := db.Bun.NewRaw("SELECT count(*) FROM invoices WHERE status = 'draft'").Scan(ctx, &drafts); err != nil {
		t.Fatal(err)
	}
	if total != 2 || drafts != 2 {
		t.Fatalf("drafted %d (reported %d), want one per running contract", drafts, total)
	}
}
