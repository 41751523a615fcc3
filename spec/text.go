package spec

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// words splits text into lower-case words: on anything that is not a letter
// or digit, and inside identifiers at camelCase and letter/digit boundaries,
// so "bulkSync_executions_list" and "bulk sync executions list" agree.
func words(s string) []string { return splitWords(s, true) }

// queryWords splits like words, but keeps capitalised names whole: in prose,
// "BigQuery" and "MySQL" are products, not the words "query" and "sql".
// Lower-case identifiers such as "bulkSync" are still split.
func queryWords(s string) []string { return splitWords(s, false) }

func splitWords(s string, splitNames bool) []string {
	var out []string
	var first rune
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for i, r := range s {
		if r == utf8.RuneError {
			// Invalid UTF-8 is a word break, never a crash or a match.
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				flush()
				prev = 0
				continue
			}
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			prev = 0
			continue
		}
		if len(cur) == 0 {
			first = r
		} else {
			camel := unicode.IsUpper(r) && unicode.IsLower(prev) && (splitNames || unicode.IsLower(first))
			digit := unicode.IsDigit(r) != unicode.IsDigit(prev)
			if camel || digit {
				flush()
			}
		}
		cur = append(cur, r)
		prev = r
	}
	flush()
	return out
}

// identifiers returns the snake_case and kebab-case identifiers in s
// ("only_terminal", "page-token"), lower-cased, for matching parameter names.
func identifiers(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-')
	}) {
		f = strings.Trim(f, "_-")
		if strings.ContainsAny(f, "_") || strings.Contains(f, "-") {
			out = append(out, strings.ToLower(f))
		}
	}
	return out
}

// Stem reduces a lower-case word to its Snowball (Porter2) stem, as the
// index does.
func Stem(w string) string { return stem(w) }

// stem reduces a lower-case word to its Snowball (Porter2) stem.
func stem(w string) string {
	if len(w) <= 2 {
		return w
	}
	return english.Stem(w, true)
}

// stopwords carry no signal about which operation is meant. Verbs that imply
// a method ("show", "delete") are not here: the intent detector reads them
// before they are dropped.
var stopwords = toSet(`a an the and or of to in on at for from by with into onto
our my your their its it this that these those is are was were be been being do does did
i we you he she they me us them can could would should will shall may might must
what which who whom whose when where why how there here please just only also
some any each so then than too very via per about as if not no yes but
out up down over under again once right now today yesterday
tuesday monday wednesday thursday friday saturday sunday week day night
whole entire entirely already still need want know tell let get give got gets
has have had having thing things one polytomic`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// osaDistance is the optimal string alignment distance (Levenshtein plus
// adjacent transpositions), capped: it returns max+1 as soon as the distance
// must exceed max. Typos are mostly one swapped, dropped or doubled letter.
func osaDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	la, lb := len(a), len(b)
	// Three rows; words are short, so they usually fit on the stack.
	var stack [3 * 48]int
	rows := stack[:]
	if 3*(lb+1) > len(rows) {
		rows = make([]int, 3*(lb+1))
	}
	prev2, prev, cur := rows[:lb+1], rows[lb+1:2*(lb+1)], rows[2*(lb+1):3*(lb+1)]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}
