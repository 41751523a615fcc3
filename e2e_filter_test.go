package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// hostileFilters are response filters within the length limit that once
// (or could) make gjson build gigabytes. Stages that multiply each other
// and growing modifiers are refused before any request; the rest stop at
// the output or work budget while they run. For a read both are tool
// errors that say to narrow the filter.
var hostileFilters = []struct {
	name, filter string
	want         outcome
	atRunTime    bool // refused while it runs, after the request
}{
	{"doubling pipes (issue 10 row 1)", strings.TrimSuffix(strings.Repeat("[@this,@this]|", 24), "|"), outcome{toolError: "narrow it"}, false},
	{"doubling pipes, longest", strings.TrimSuffix(strings.Repeat("[@this,@this]|", 36), "|"), outcome{toolError: "narrow it"}, false},
	{"doubling by dots", strings.Repeat("[@this,@this].", 36) + "@this", outcome{toolError: "narrow it"}, false},
	{"doubling per element", "data.#.[@this,@this]|" + strings.TrimSuffix(strings.Repeat("[@this,@this]|", 30), "|"), outcome{toolError: "narrow it"}, false},
	{"eight doublings, under the static limit", strings.TrimSuffix(strings.Repeat("[@this,@this]|", 8), "|"), outcome{toolError: "narrow it"}, true},
	{"a wide multipath", "[" + strings.TrimSuffix(strings.Repeat("data,", 100), ",") + "]", outcome{toolError: "narrow it"}, true},
	{"@pretty", strings.Repeat("@pretty|", 60) + "@this", outcome{toolError: "@pretty is not allowed"}, false},
	{"@tostr", strings.Repeat("@tostr|", 70) + "@this", outcome{toolError: "@tostr is not allowed"}, false},
	{"multipath in a query", `data.#(` + strings.Repeat("[@this,@this]|", 30) + `@this=="x")`, outcome{toolError: "plain paths only"}, false},
}

// TestE2EHostileFilters sends each hostile filter to the built binary, whose
// API replies with 2,000 objects (150 KB), and checks the outcome and that
// the server answers the next call. The server's peak RSS is logged (go test -v)
// for the record; the bar (150 MB) is measured, not asserted.
func TestE2EHostileFilters(t *testing.T) {
	items := make([]map[string]any, 2000)
	for i := range items {
		items[i] = map[string]any{"id": fmt.Sprintf("sync-%d", i), "name": "nightly load", "active": i%2 == 0}
	}
	page, _ := json.Marshal(map[string]any{"data": items})
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(page)
	})
	s := startSession(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL, "POLYTOMIC_FEEDBACK_URL=off"))
	for i, h := range hostileFilters {
		if len(h.filter) > 512 {
			t.Fatalf("%s: %d bytes, over the length limit", h.name, len(h.filter))
		}
		args, _ := json.Marshal(map[string]any{"operation_id": "bulkSync_list", "response_filter": h.filter})
		id := 100 + i
		before := api.hits.Load()
		checkOutcome(t, h.name, s.roundTrip(call(id, "execute", string(args)), fmt.Sprint(id)), h.want)
		if h.want.toolError != "" && !h.atRunTime && api.hits.Load() != before {
			t.Errorf("%s: refused, yet the request was made", h.name)
		}
		after := fmt.Sprintf(`"after-%d"`, i)
		next := strings.Replace(call(0, "execute", `{"operation_id":"bulkSync_list","response_filter":"data.0.id"}`), `"id":0`, `"id":`+after, 1)
		r := s.roundTrip(next, after)
		checkOutcome(t, h.name+": the next call", r, outcome{result: `"sync-0"`})
	}
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				t.Logf("server peak RSS after %d hostile filters: %s", len(hostileFilters), strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")))
			}
		}
	}
}
