package spec

import (
	"strings"
	"testing"
)

func TestReadSituations(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		text   string
		term   string // a remedy word the reading must add ("" for none)
		delete bool   // whether it must ask to delete
	}{
		{"a teammate left the company", "user", true},
		{"our webhook receiver is flooded with events", "disabl", false},
		{"the Salesforce password was rotated", "connect", false},
		{"an email mentions a mystery UUID", "entiti", false},
		{"reset primary keys back to the detected ones", "", false},
		{"my sync keeps failing, what went wrong", "", false},
		{"the access rule binding the role is wrong", "updat", false},
		{"the numbers in Salesforce look stale", "execut", false},
		{"someone on the team resigned", "user", true},
		{"what is every replication pipeline doing", "status", false},
		{"stop the currently running sync", "", false},
		{"a new column in Snowflake isn't showing up", "refresh", false},
		{"add a new custom field to a table", "", false},
		{"I need the rejected records from that run", "error", false},
		{"the copy has been running 9 hours and is burning credits", "cancel", false},
		{"there's a leftover schedule nobody uses anymore", "", true},
		{"duplicate rows in the orders table", "primari", false},
		{"the connect link we sent expired", "session", false},
	}
	for _, tt := range tests {
		q := query{terms: map[string]float64{}}
		ix.readSituations(words(tt.text), &q)
		if tt.term == "" && !tt.delete && len(q.terms) > 0 {
			t.Errorf("%q: read as a situation: %v", tt.text, q.terms)
		}
		if tt.term != "" && q.terms[tt.term] <= 0 {
			t.Errorf("%q: no evidence for %q in %v", tt.text, tt.term, q.terms)
		}
		if got := q.intent.del > 0; got != tt.delete {
			t.Errorf("%q: delete intent %v, want %v", tt.text, got, tt.delete)
		}
	}
}

func TestRelatedVerbIntent(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		text      string
		del, post bool
	}{
		{"throw away the dataset", true, false},   // throw ~ drop
		{"last 10 runs of sync 42", false, false}, // "last" counts, it does not terminate
	}
	for _, tt := range tests {
		q := ix.analyze(tt.text)
		if got := q.intent.del > 0; got != tt.del {
			t.Errorf("%q: delete intent %v, want %v", tt.text, got, tt.del)
		}
		if got := q.intent.post > 0; got != tt.post {
			t.Errorf("%q: action intent %v, want %v", tt.text, got, tt.post)
		}
	}
}

func TestJoinParticles(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ text, want string }{
		{"just switch it off", "just switch off it"},
		{"switch the CRM push pipeline back on now", "switch back on the crm push pipeline now"},
		{"turn on the webhook", "turn on the webhook"},
		{"switch the owner of it, off topic", "switch the owner of it off topic"}, // the particle is in another clause
	}
	for _, tt := range tests {
		ws, _ := clauseWordsJoined(tt.text, ix.joinParticles)
		if got := strings.Join(ws, " "); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestHowTo(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"how do i poll the job", 3},
		{"what's the right way to just switch it off", 6},
		{"how many syncs are there", -1},
		{"show the schedules", -1},
	}
	for _, tt := range tests {
		if got := howTo(queryWords(tt.text)); got != tt.want {
			t.Errorf("%q: %d, want %d", tt.text, got, tt.want)
		}
	}
}

// TestOthersOrgs: an organization qualified as someone else's is partner
// work; the caller's own is not.
func TestOthersOrgs(t *testing.T) {
	ix := testIndex(t)
	for text, want := range map[string]bool{
		"list all the customer tenants we manage":               true,
		"remove a contractor from one of our client workspaces": true,
		"who is in my org":               false,
		"customer data in the warehouse": false,
	} {
		q := ix.analyze(text)
		if got := q.intent.partner > 0; got != want {
			t.Errorf("%q: partner %v, want %v", text, got, want)
		}
	}
}

// TestNextSteps: a request that tells the step already taken ranks the
// call that step's description names next.
func TestNextSteps(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ text, done, next string }{
		{"I started the log export for a bulk run; how do I get the download link", "POST /api/bulk/syncs/{sync_id}/executions/{execution_id}/logs/export", "GET /api/jobs/{type}/{id}"},
		{"I already kicked off the schema refresh on connection 3, how do I know when it's done", "POST /api/connections/{id}/schemas/refresh", "GET /api/connections/{id}/schemas/status"},
	}
	for _, tt := range tests {
		done, next := ix.nextSteps(ix.analyze(tt.text))
		if done == nil || done.Key() != tt.done {
			t.Errorf("%q: done step %v, want %s", tt.text, done, tt.done)
			continue
		}
		var found bool
		for op := range next {
			found = found || op.Key() == tt.next
		}
		if !found {
			t.Errorf("%q: next steps %v lack %s", tt.text, next, tt.next)
		}
	}
	if done, _ := ix.nextSteps(ix.analyze("list the bulk syncs")); done != nil {
		t.Errorf("a one-step request has a done step: %v", done.Key())
	}
}

// TestSwitchesAndFamilies: of two opposite switches the wording picks one;
// of the two sync families, the one it names.
func TestSwitchesAndFamilies(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ query, want string }{
		{"mute the webhook for now", "POST /api/webhooks/{id}/disable"},
		{"unmute the webhook", "POST /api/webhooks/{id}/enable"},
		{"what is the replication job printing right now", "GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/consolelog"},
		{"what is the reverse ETL sync printing right now", "GET /api/syncs/{sync_id}/executions/{id}/consolelog"},
	}
	for _, tt := range tests {
		hits := ix.Search(tt.query, SearchOptions{Limit: 1})
		if len(hits) == 0 || hits[0].Op.Key() != tt.want {
			t.Errorf("%q: top %v, want %s", tt.query, hits, tt.want)
		}
	}
}
