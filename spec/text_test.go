package spec

import (
	"reflect"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in         string
		words, qws []string
	}{
		{"bulkSync_executions_list", []string{"bulk", "sync", "executions", "list"}, []string{"bulk", "sync", "executions", "list"}},
		{"MySQL BigQuery", []string{"my", "sql", "big", "query"}, []string{"mysql", "bigquery"}},
		{"run 7731 of sync41c2", []string{"run", "7731", "of", "sync", "41", "c", "2"}, []string{"run", "7731", "of", "sync", "41", "c", "2"}},
		{"bad\xffutf8", []string{"bad", "utf", "8"}, []string{"bad", "utf", "8"}},
		{"", nil, nil},
	}
	for _, tt := range tests {
		if got := words(tt.in); !reflect.DeepEqual(got, tt.words) {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.words)
		}
		if got := queryWords(tt.in); !reflect.DeepEqual(got, tt.qws) {
			t.Errorf("queryWords(%q) = %q, want %q", tt.in, got, tt.qws)
		}
	}
}

func TestOSADistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"sync", "sync", 1, 0},
		{"sycn", "sync", 1, 1}, // transposition
		{"scheduels", "schedules", 2, 1},
		{"wehbook", "webhook", 1, 1},
		{"delte", "delete", 1, 1},
		{"exectuions", "executions", 2, 1},
		{"model", "models", 1, 1},
		{"abc", "xyz", 1, 2}, // capped at max+1
		{"a", "abcdef", 2, 3},
	}
	for _, tt := range tests {
		if got := osaDistance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("osaDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func TestIdentifiers(t *testing.T) {
	got := identifiers("executions with only_terminal=true and page-token, not plain")
	want := []string{"only_terminal", "page-token"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("identifiers = %q, want %q", got, want)
	}
}

func TestLexiconParses(t *testing.T) {
	rules := parseLexicon(lexicon)
	if len(rules) < 50 {
		t.Fatalf("lexicon has %d rules", len(rules))
	}
	for i, r := range rules {
		if len(r.triggers) == 0 || (len(r.expand) == 0 && len(r.intents) == 0) {
			t.Errorf("rule %d is empty: %+v", i, r)
		}
		var in intent
		in.add(r.intents, 1) // panics on an unknown intent
	}
}

// TestClauseWords: negation reaches to the end of its clause, contractions
// included; doubt is not negation; an already-done step is context.
func TestClauseWords(t *testing.T) {
	tests := []struct {
		text string
		want map[string]int // word -> role
	}{
		{"list syncs, but don't include paused ones", map[string]int{"list": roleAsked, "include": roleNegated, "paused": roleNegated}},
		{"restart the sync without a full resync", map[string]int{"restart": roleAsked, "resync": roleNegated}},
		{"I don't know which org this id belongs to", map[string]int{"org": roleAsked, "belongs": roleAsked}},
		{"they should no longer have access", map[string]int{"access": roleAsked}},
		{"the new field doesn't show up in the list", map[string]int{"show": roleAsked, "list": roleAsked}},
		{"don't show paused syncs", map[string]int{"show": roleNegated, "paused": roleNegated}},
		{"I exported the logs; how do I poll the job", map[string]int{"exported": roleDone, "logs": roleDone, "poll": roleAsked}},
		{"after starting the sync, follow the run", map[string]int{"starting": roleDone, "follow": roleAsked}},
		{"kicked off a refresh then poll until done", map[string]int{"kicked": roleDone, "refresh": roleDone, "poll": roleAsked}},
		// Inability, reports of what did not happen, and lacks are no exclusions.
		{"can't remove our old connector, it is in use", map[string]int{"remove": roleAsked, "connector": roleAsked}},
		{"the sync won't start", map[string]int{"start": roleAsked}},
		{"requested a log bundle and never got the email", map[string]int{"got": roleDone, "email": roleDone}},
		{"on-call didn't receive any failure emails", map[string]int{"receive": roleAsked, "emails": roleAsked}},
		{"we didn't recieve any failure emails", map[string]int{"recieve": roleAsked, "emails": roleAsked}},
		{"the source view has no primary key", map[string]int{"primary": roleAsked, "key": roleAsked}},
		{"list the syncs without running them", map[string]int{"list": roleAsked, "running": roleNegated}},
		// A negation ends at a conjunction.
		{"didn't get alerts because the list is empty", map[string]int{"list": roleAsked, "empty": roleAsked}},
		{"don't delete it but pause it", map[string]int{"delete": roleNegated, "pause": roleAsked}},
		{"I already kicked off the re-scan, how do I know when it's done", map[string]int{"kicked": roleDone, "scan": roleDone, "know": roleAsked}},
	}
	for _, tt := range tests {
		ws, roles := clauseWords(tt.text)
		got := map[string]int{}
		for i, w := range ws {
			got[w] = roles[i]
		}
		for w, role := range tt.want {
			if r, ok := got[w]; !ok || r != role {
				t.Errorf("%q: %q has role %d (present %v), want %d", tt.text, w, r, ok, role)
			}
		}
	}
}

func TestAsksForActor(t *testing.T) {
	for q, want := range map[string]bool{
		"which user deleted the Marketo connection yesterday?":  true,
		"someone changed a sync; I need to know who did it":     true,
		"who removed the webhook":                               true,
		"who has an account in our org":                         false,
		"list the users who can log in":                         false,
		"delete the connection that someone created by mistake": false,
	} {
		if got := asksForActor(strings.Fields(strings.ToLower(q))); got != want {
			t.Errorf("asksForActor(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestWithoutIDs(t *testing.T) {
	for in, want := range map[string]string{
		"get details of sync abc123":     "get details of sync ",
		"cancel run 8f2c now":            "cancel run  now",
		"the last 10 runs":               "the last 10 runs",
		"sync 9's settings":              "sync 9's settings",
		"pause the HubSpot sync":         "pause the HubSpot sync",
		"file errors-0001.csv of run 90": "file errors-0001.csv of run 90",
	} {
		if got := withoutIDs(in); got != want {
			t.Errorf("withoutIDs(%q) = %q, want %q", in, got, want)
		}
	}
}
