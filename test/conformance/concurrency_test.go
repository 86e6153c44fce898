package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/harness"
)

// TestConcurrency: 500 concurrent MessageHasBeenPosted calls interleaved with 500 concurrent
// ServeHTTP /api/KVGet calls all complete, within a time bound, with correct results.
func TestConcurrency(t *testing.T) {
	const n = 500
	const bound = 120 * time.Second
	h := start(t)
	hooksRPC := h.HooksRPC()
	hooks := h.Hooks()

	posts := make([]*model.Post, n)
	contexts := make([]*plugin.Context, n)
	for i := range posts {
		p := richPost()
		p.Message = fmt.Sprintf("concurrent %d %s", i, unicodeSample)
		p.Props["index"] = int64(i)
		posts[i] = p
		contexts[i] = testContext()
		h.API.KVPut(fmt.Sprintf("conc:%d", i), bytes.Repeat([]byte{byte(i)}, i+1))
	}

	errs := make(chan error, 2*n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-gate
			if err := hooksRPC.MessageHasBeenPostedWithRPCErr(contexts[i], posts[i].Clone()); err != nil {
				errs <- fmt.Errorf("MessageHasBeenPosted %d: %w", i, err)
			}
		}()
		go func() {
			defer wg.Done()
			<-gate
			key := fmt.Sprintf("conc:%d", i)
			body, _ := json.Marshal(map[string]any{"args": []any{key}})
			r := httptest.NewRequest(http.MethodPost, "/plugins/"+harness.PluginID+"/api/KVGet", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			harness.ServePluginRequest(hooks, w, r, aliceID)
			if w.Code != http.StatusOK {
				errs <- fmt.Errorf("KVGet %d: status %d: %.200s", i, w.Code, w.Body.String())
				return
			}
			var res struct {
				Result []byte          `json:"result"`
				Error  json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
				errs <- fmt.Errorf("KVGet %d: %w: %.200s", i, err, w.Body.String())
				return
			}
			if want := bytes.Repeat([]byte{byte(i)}, i+1); !bytes.Equal(res.Result, want) {
				errs <- fmt.Errorf("KVGet %d: got %d bytes, want %d bytes of %d", i, len(res.Result), len(want), byte(i))
			}
		}()
	}
	began := time.Now()
	close(gate)
	if !harness.Within(bound, wg.Wait) {
		t.Fatalf("the concurrent calls did not finish within %s (deadlock?)", bound)
	}
	t.Logf("%d hook calls and %d HTTP calls took %s", n, n, time.Since(began))
	close(errs)
	var failures []error
	for err := range errs {
		failures = append(failures, err)
	}
	if len(failures) > 0 {
		for _, err := range failures[:min(len(failures), 20)] {
			t.Error(err)
		}
		t.Fatalf("%d of %d concurrent calls failed", len(failures), 2*n)
	}

	for i, p := range posts {
		raw, ok := h.API.KVValue("posted:" + p.Id)
		require.True(t, ok, "echo %d missing", i)
		echo := decodeEcho(t, raw)
		requireNoDiff(t, fmt.Sprintf("context %d", i), contexts[i], echo["context"], harness.ContextDiffOptions...)
		if d := comparePost(t, p, echo["post"]); len(d) > 0 {
			t.Fatalf("post %d differs: %v", i, d)
		}
	}
	h.Do("PerformHealthCheck", func() { require.NoError(t, h.Env.PerformHealthCheck(harness.PluginID)) })
}
