package jsonfilter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

const sample = `{"data":[{"id":"a","name":"x","active":true,"tags":["t1","t2"],"n":{"k":1},"friends":[{"first":"Dale","age":44},{"first":"Roger","age":68}]},` +
	`{"id":"b","name":"y","active":false,"tags":[],"friends":[]},{"id":"c","name":"a.b","active":true,"tags":["t3"]}],` +
	`"pagination":{"next_page_token":"t"},"count":3,"nested":[[1,[2,3]],[4]],"s":"{\"x\":1}"}`

// Ordinary filters give what gjson gives: the budgeted evaluator changes the
// cost of a path, not its meaning.
func TestSameAsGJSON(t *testing.T) {
	for _, p := range []string{
		"data", "data.#", "data.#.id", "data.1.name", "data.#.{id,name}", "data.#.{id,active}",
		"data.#.[id,name]", "{count,x:data.0.id}", `{"a b":count}`, "[count,data.#.id]",
		`data.#(id=="a").name`, `data.#(id=="a")#.name`, `data.#(active==true)#`, `data.#(name=="a.b").id`,
		"data.#.tags.#", "data.#.tags.0", "data.#.n.k", "data.#.friends.#.first",
		`data.#.friends.#(age>45)#.first`, "data.@reverse.0.id", "data|@reverse|0.id", "data.0.@keys",
		"data.0.n|@values", "nested|@flatten", `nested|@flatten:{"deep":true}`, "data.#.n|@join", "s|@fromstr.x",
		"count|@this", "@this.count", "pagination.next_page_token", "data.{a:count}", "{data.#.id}",
		"data.#.{id,c:!true}", "!true", "data.#.{id,name}|#(id==\"b\").name", "data.*.id", "d?ta.0.id",
		"{id:data.0.id,t:data.0.tags.@reverse}", "data.#.tags|@flatten", "[data.0.id,[count,count]]",
		`data.#(tags.#>0)#.id`, `data.#(name%"a*")#.id`, `data.#(name!="x")#.id`, "nothing", "data.9",
		"data.#.missing", "{missing}", "data.#.{missing}", `a\.b`,
	} {
		want := gjson.Get(sample, p)
		b := &budget{work: maxWorkBytes}
		got, err := b.eval(sample, p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if got.exists != want.Exists() || (got.exists && got.raw != fromGJSON(want).raw) {
			t.Errorf("%s = %q (exists %v); gjson gives %q (exists %v)", p, got.raw, got.exists, want.Raw, want.Exists())
		}
	}
}

// Hostile filters within the length limit stop at the budget with an error
// that says what to do, and never build more than the output cap.
func TestBudgetStopsHostileFilters(t *testing.T) {
	small := `{"data":[{"id":"a"}]}`
	big := `{"data":"` + strings.Repeat("x", 1<<20) + `"}`
	many := `{"data":[` + strings.TrimSuffix(strings.Repeat(`0,`, 1<<20), ",") + `]}`
	for _, tt := range []struct{ name, doc, path string }{
		{"doubling pipes (issue 10 row 1)", small, strings.Repeat("[@this,@this]|", 24) + "@this"},
		{"doubling pipes, longest", small, strings.Repeat("[@this,@this]|", 36) + "@this"},
		{"doubling by dots", small, strings.Repeat("[@this,@this].", 36) + "@this"},
		{"nested multipaths on a big doc", big, strings.Repeat("[", 20) + "@this" + strings.Repeat(",@this]", 20)},
		{"wide multipath on a big doc", big, "[" + strings.TrimSuffix(strings.Repeat("data,", 100), ",") + "]"},
		{"keys repeated per element", many, "data.#.{" + strings.Repeat("k", 400) + ":@this}"},
		{"doubling inside iteration", many, "data.#.[@this,@this]|" + strings.Repeat("[@this,@this]|", 20) + "@this"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.path) > MaxPathLen {
				t.Fatalf("test path is %d bytes, over the limit", len(tt.path))
			}
			_, err := Apply([]byte(tt.doc), tt.path)
			if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "narrow it") {
				t.Fatalf("err = %v, want a budget error", err)
			}
		})
	}
}

func TestRefusedSyntax(t *testing.T) {
	for path, want := range map[string]string{
		"data|@pretty":               "@pretty is not allowed",
		"data.@tostr":                "@tostr is not allowed",
		"[data,{x:@dig:id}]":         "@dig is not allowed",
		`data.#([@this,@this]=="x")`: "plain paths only",
		`data.#(a|b=="x")`:           "plain paths only",
		"..data":                     "JSON Lines",
		"[data,count":                "unbalanced",
		"data)":                      "unbalanced",
		"!{\"a\":1}":                 "literal",
		strings.Repeat("[@this,@this]|", 24) + "@this":                           "multiply its input",
		"data.#.[@this,@this]|" + strings.Repeat("[@this,@this].", 12) + "@this": "multiply its input",
	} {
		err := Validate(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(%q) = %v, want %q", path, err, want)
		}
	}
	wide := "[" + strings.TrimSuffix(strings.Repeat("data,", 100), ",") + "]"
	for _, ok := range []string{`data.#(name=="[x|@y]").id`, `data.#(name!="x")#`, "data.#.{id,name}", "data.@reverse", wide, "[@this,@this]|[@this,@this]|@this"} {
		if err := Validate(ok); err != nil {
			t.Errorf("Validate(%q) = %v", ok, err)
		}
	}
}

// FuzzApply: any filter within the length limit, on a document with nested
// arrays, either fails or returns at most the output cap, and never does
// more than the work budget (measured by what the evaluator charged, not by
// the clock).
func FuzzApply(f *testing.F) {
	for _, s := range []string{
		"data.#.{id,name}", strings.Repeat("[@this,@this]|", 24), "data.#.[@this,@this]|[@this,@this]",
		`data.#(id=="a")#.name`, "nested|@flatten", "{a:data,b:[data,data]}.a.#.id", "@reverse|@keys",
		strings.Repeat("[", 30) + "@this" + strings.Repeat(",@this]", 30),
	} {
		f.Add(s)
	}
	doc := []byte(sample)
	f.Fuzz(func(t *testing.T, path string) {
		if Validate(path) != nil {
			return
		}
		b := &budget{work: maxWorkBytes}
		res, err := b.eval(string(doc), path)
		// Only the call that crossed the budget may go past it.
		if lastCall := int64(1+strings.Count(path, "#("))*maxOutputBytes + int64(len(path)+callCost); -b.work > lastCall {
			t.Fatalf("work went %d bytes past the budget", -b.work)
		}
		if err == nil && len(res.raw) > maxOutputBytes {
			t.Fatalf("output %d bytes, over the cap", len(res.raw))
		}
		if out, err := Apply(doc, path); err == nil && len(out) > maxOutputBytes {
			t.Fatal(fmt.Sprintf("Apply returned %d bytes", len(out)))
		}
	})
}

// The budget leaves room for ordinary filters on the largest reply the
// forwarder reads (8 MB): here 100,000 items, about 7 MB.
func TestBudgetAllowsOrdinaryFiltersOnLargeReplies(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range 100000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"sync-%d","name":"nightly load of the warehouse","active":%v}`, i, i%2 == 0)
	}
	b.WriteString(`],"pagination":{"next_page_token":"t"}}`)
	doc := []byte(b.String())
	for _, p := range []string{"data.#.{id,name}", "data.#.id", "data.#(active==true)#.id", "data|@reverse|0.id", "data.#.[id,active]", "@this"} {
		if _, err := Apply(doc, p); err != nil {
			t.Errorf("%s on %d bytes: %v", p, len(doc), err)
		}
	}
}
