// Command benchreport measures polytomic-mcp on this machine and writes
// BENCHMARKS.md: start-up against a minimal mcp-go server, search latency in
// process and over stdio, reply sizes, resident memory, and search quality.
// Timings are reported, never asserted: pass/fail tests stay timing-free.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

func main() {
	bin := flag.String("bin", "bin/polytomic-mcp", "the polytomic-mcp binary to measure")
	evalPath := flag.String("eval", "../shared/eval/search-dev.jsonl", "search evaluation set")
	out := flag.String("out", "BENCHMARKS.md", "report file")
	spawns := flag.Int("spawns", 41, "start-ups to time per server")
	flag.Parse()
	if err := run(*bin, *evalPath, *out, *spawns); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

type report struct {
	b strings.Builder
}

func (r *report) p(format string, args ...any) { fmt.Fprintf(&r.b, format+"\n", args...) }

// bench is one benchmark run: the binaries, the inputs, the server session
// that the stdio measurements share, and the report being written.
type bench struct {
	bin, minimal, evalPath string
	spawns                 int
	cases                  []spec.EvalCase
	ix                     *spec.Index
	api                    *httptest.Server
	sess                   *session
	r                      *report
	// RSS readings taken along the way, reported together.
	idleRSS, afterSearchRSS, afterExecRSS, hwmBefore, hwmHuge string
	searches                                                  int
}

func run(bin, evalPath, out string, spawns int) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "benchreport")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b := &bench{bin: bin, minimal: filepath.Join(tmp, "minimal"), evalPath: evalPath, spawns: spawns, r: &report{}}
	if out, err := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", b.minimal, "./internal/benchreport/minimal").CombinedOutput(); err != nil {
		return fmt.Errorf("build minimal server: %v: %s", err, out)
	}
	if b.cases, err = readEval(evalPath); err != nil {
		return err
	}
	if b.ix, err = spec.Embedded(); err != nil {
		return err
	}
	b.api = httptest.NewServer(fakeAPI())
	defer b.api.Close()
	b.header()
	for _, phase := range []func() error{b.startup, b.searchLatency, b.sizes, b.execute, b.concurrency, b.exitTimes, b.memory, b.quality, b.goBench} {
		if err := phase(); err != nil {
			return err
		}
	}
	if b.sess != nil {
		b.sess.close()
	}
	return os.WriteFile(out, []byte(b.r.b.String()), 0o644)
}

func (b *bench) header() {
	b.r.p("# Benchmarks")
	b.r.p("")
	b.r.p("Written by `make bench` (`go run ./internal/benchreport -bin %s -eval %s`) on %s.", "bin/polytomic-mcp", b.evalPath, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	b.r.p("Machine: %s, %d cores, %s, %s/%s. Every number below comes from this one run on this one machine.", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	b.r.p("")
}

// startup times spawn → initialize reply for polytomic-mcp and for a
// minimal mcp-go server.
func (b *bench) startup() error {
	fmt.Fprintln(os.Stderr, "timing start-up…")
	ours, floor, err := spawnTimes(b.bin, b.minimal, b.spawns)
	if err != nil {
		return err
	}
	r := b.r
	r.p("## Start-up: spawn → initialize result")
	r.p("")
	r.p("Each server is started %d times, alternating, with a fresh process each time; the clock runs from `exec` to the last byte of the `initialize` reply.", b.spawns)
	r.p("")
	r.p("| server | min | median | max |")
	r.p("|---|---|---|---|")
	r.p("| polytomic-mcp serve | %s | %s | %s |", ms(ours[0]), ms(median(ours)), ms(ours[len(ours)-1]))
	r.p("| minimal mcp-go stdio server, one trivial tool | %s | %s | %s |", ms(floor[0]), ms(median(floor)), ms(floor[len(floor)-1]))
	r.p("")
	r.p("Ratio of medians: **%.2f×** (target ≤ 1.3×); polytomic-mcp median **%s** (target ≤ 20 ms).", float64(median(ours))/float64(median(floor)), ms(median(ours)))
	r.p("")
	return nil
}

// searchLatency times search in process and through stdio, in one server
// session that later phases reuse.
func (b *bench) searchLatency() error {
	fmt.Fprintln(os.Stderr, "timing search…")
	var lat []time.Duration
	for round := 0; round < 50; round++ {
		for _, c := range b.cases {
			t0 := time.Now()
			b.ix.Search(c.Query, spec.SearchOptions{Limit: 5})
			lat = append(lat, time.Since(t0))
		}
	}
	sortDurations(lat)
	r := b.r
	r.p("## Search latency")
	r.p("")
	r.p("| where | n | min | p50 | p99 | max |")
	r.p("|---|---|---|---|---|---|")
	r.p("| in process (`Index.Search`, limit 5, the %d dev queries × 50) | %d | %s | %s | %s | %s |", len(b.cases), len(lat), us(lat[0]), us(pct(lat, 50)), us(pct(lat, 99)), us(lat[len(lat)-1]))
	sess, err := startSession(b.bin, "POLYTOMIC_API_KEY=bench-key", "POLYTOMIC_API_URL="+b.api.URL)
	if err != nil {
		return err
	}
	b.sess = sess
	b.idleRSS = mb(sess.rss())
	var stdioLat []time.Duration
	for round := 0; round < 1000/len(b.cases)+1; round++ {
		for _, c := range b.cases {
			t0 := time.Now()
			if _, err := sess.call("tools/call", map[string]any{"name": "search", "arguments": map[string]any{"query": c.Query, "limit": 5}}); err != nil {
				return err
			}
			stdioLat = append(stdioLat, time.Since(t0))
		}
	}
	b.searches = len(stdioLat)
	b.afterSearchRSS = mb(sess.rss())
	sortDurations(stdioLat)
	r.p("| through stdio (`tools/call search`, round trip) | %d | %s | %s | %s | %s |", len(stdioLat), us(stdioLat[0]), us(pct(stdioLat, 50)), us(pct(stdioLat, 99)), us(stdioLat[len(stdioLat)-1]))
	r.p("")
	r.p("Target: in-process p50 ≤ 100 µs. `go test -bench . ./spec` gives the same figure as `ns/op`.")
	r.p("")
	return nil
}

// sizes measures what replies cost an agent's context.
func (b *bench) sizes() error {
	var searchBytes, searchText []int
	for _, c := range b.cases {
		reply, err := b.sess.call("tools/call", map[string]any{"name": "search", "arguments": map[string]any{"query": c.Query, "limit": 5}})
		if err != nil {
			return err
		}
		searchBytes = append(searchBytes, len(reply))
		searchText = append(searchText, textLen(reply))
	}
	toolsList, err := b.sess.call("tools/list", map[string]any{})
	if err != nil {
		return err
	}
	catalog, err := b.sess.call("tools/call", map[string]any{"name": "search", "arguments": map[string]any{}})
	if err != nil {
		return err
	}
	var detailBytes []int
	for _, op := range b.ix.API().Operations {
		reply, err := b.sess.call("tools/call", map[string]any{"name": "search", "arguments": map[string]any{"operation": op.ID}})
		if err != nil {
			return err
		}
		detailBytes = append(detailBytes, len(reply))
	}
	sort.Ints(searchBytes)
	sort.Ints(searchText)
	sort.Ints(detailBytes)
	r := b.r
	r.p("## Sizes (≈ tokens = bytes / 4)")
	r.p("")
	r.p("| reply | median | max |")
	r.p("|---|---|---|")
	r.p("| `tools/list` result (all tools) | %d B (≈ %d tokens) | — |", len(resultOf(toolsList)), len(resultOf(toolsList))/4)
	r.p("| 5-result search, whole JSON-RPC reply (text + structuredContent), over the dev queries | %d B | %d B |", searchBytes[len(searchBytes)/2], searchBytes[len(searchBytes)-1])
	r.p("| 5-result search, text content only | %d B (≈ %d tokens) | %d B |", searchText[len(searchText)/2], searchText[len(searchText)/2]/4, searchText[len(searchText)-1])
	r.p("| detail (`operation=`), whole reply, over all %d operations | %d B (≈ %d tokens) | %d B |", len(detailBytes), detailBytes[len(detailBytes)/2], detailBytes[len(detailBytes)/2]/4, detailBytes[len(detailBytes)-1])
	r.p("| catalogue (search with no arguments): text content / whole reply | %d B / %d B | — |", textLen(catalog), len(catalog))
	r.p("")
	r.p("Targets: `tools/list` ≤ 4,000 B; a 5-result search reply ≤ 6,000 B; the catalogue text ≤ 10,000 B.")
	r.p("")
	return nil
}

// execute times execute against the local fake API next to the same GET
// made directly.
func (b *bench) execute() error {
	fmt.Fprintln(os.Stderr, "timing execute…")
	var viaServer, direct []time.Duration
	client := &http.Client{}
	for i := 0; i < 1000; i++ {
		t0 := time.Now()
		if _, err := b.sess.call("tools/call", map[string]any{"name": "execute", "arguments": map[string]any{"operation_id": "identity_get"}}); err != nil {
			return err
		}
		viaServer = append(viaServer, time.Since(t0))
		t0 = time.Now()
		req, _ := http.NewRequest("GET", b.api.URL+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer bench-key")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		direct = append(direct, time.Since(t0))
	}
	b.afterExecRSS = mb(b.sess.rss())
	sortDurations(viaServer)
	sortDurations(direct)
	r := b.r
	r.p("## execute")
	r.p("")
	r.p("1,000 `tools/call execute identity_get` round trips through stdio against a local fake API (in the benchmark process), each followed by the same `GET /api/me` made directly with Go's `net/http`:")
	r.p("")
	r.p("| path | min | p50 | p99 | max |")
	r.p("|---|---|---|---|---|")
	r.p("| through polytomic-mcp (stdio → HTTP → stdio) | %s | %s | %s | %s |", us(viaServer[0]), us(pct(viaServer, 50)), us(pct(viaServer, 99)), us(viaServer[len(viaServer)-1]))
	r.p("| direct HTTP GET | %s | %s | %s | %s |", us(direct[0]), us(pct(direct, 50)), us(pct(direct, 99)), us(direct[len(direct)-1]))
	r.p("")
	r.p("Added at p50: **%s** (target ≤ 0.5 ms).", us(pct(viaServer, 50)-pct(direct, 50)))
	r.p("")
	return nil
}

// concurrency sends many calls at once, to a slow API and to a fast one.
func (b *bench) concurrency() error {
	t0 := time.Now()
	if err := b.sess.parallel(20, func(i int) (string, any) {
		return "tools/call", map[string]any{"name": "execute", "arguments": map[string]any{"operation_id": "bulkSync_get", "params": map[string]any{"id": fmt.Sprintf("slow-%d", i)}}}
	}); err != nil {
		return err
	}
	b.r.p("20 `execute` calls sent at once to an API that takes 200 ms per request finish in **%s** (they run concurrently).", ms(time.Since(t0)))
	b.r.p("")
	t0 = time.Now()
	if err := b.sess.parallel(200, func(i int) (string, any) {
		return "tools/call", map[string]any{"name": "execute", "arguments": map[string]any{"operation_id": "bulkSync_get", "params": map[string]any{"id": fmt.Sprintf("load-%d", i)}}}
	}); err != nil {
		return err
	}
	b.r.p("200 `execute` calls sent at once (fast API): all answered in **%s**; server peak RSS so far %s.", ms(time.Since(t0)), mb(b.sess.hwm()))
	b.r.p("")
	return nil
}

// exitTimes measures how long the process lives once stdin closes.
func (b *bench) exitTimes() error {
	var exits []time.Duration
	for i := 0; i < 11; i++ {
		d, err := exitAfterEOF(b.bin)
		if err != nil {
			return err
		}
		exits = append(exits, d)
	}
	sortDurations(exits)
	b.r.p("stdin closed after `initialize` → process exit (11 runs): min %s, median %s, max %s (target ≤ 1 s).", ms(exits[0]), ms(median(exits)), ms(exits[len(exits)-1]))
	b.r.p("")
	return nil
}

// memory reports the RSS readings, after one execute with a 100 MB body.
func (b *bench) memory() error {
	b.hwmBefore = mb(b.sess.hwm())
	if _, err := b.sess.call("tools/call", map[string]any{"name": "execute", "arguments": map[string]any{"operation_id": "bulkSync_get", "params": map[string]any{"id": "huge"}}}); err != nil {
		return err
	}
	b.hwmHuge = mb(b.sess.hwm())
	r := b.r
	r.p("## Resident memory (VmRSS of the server process)")
	r.p("")
	r.p("| when | RSS |")
	r.p("|---|---|")
	r.p("| idle, after initialize | %s |", b.idleRSS)
	r.p("| after %d searches over stdio | %s |", b.searches, b.afterSearchRSS)
	r.p("| after 1,000 executes as well | %s |", b.afterExecRSS)
	r.p("| peak before / after one execute whose reply body is 100 MB | %s / %s |", b.hwmBefore, b.hwmHuge)
	r.p("")
	r.p("Target: ≤ 30 MB after 1,000 searches. A reply is read up to 8 MB and cut to `--max-response-bytes` for the model, so a 100 MB body costs at most a few times 8 MB.")
	r.p("")
	return nil
}

// evalSets are the search evaluation sets (spec.EvalSets), as path and
// what each is; -eval names the dev set.
func (b *bench) evalSets() [][2]string {
	var out [][2]string
	for _, set := range spec.EvalSets() {
		path := set.Path
		if set.Name == "dev" {
			path = b.evalPath
		}
		out = append(out, [2]string{path, set.About})
	}
	return out
}

// quality scores every evaluation set, overall and by kind.
func (b *bench) quality() error {
	r := b.r
	r.p("## Search quality")
	r.p("")
	r.p("| set | what it is | n | Recall@1 | Recall@5 | MRR |")
	r.p("|---|---|---|---|---|---|")
	type scored struct {
		name string
		res  spec.EvalResult
	}
	var all []scored
	for _, set := range b.evalSets() {
		cases, err := readEval(set[0])
		if err != nil {
			r.p("| `%s` | %s | — | missing: %v | | |", set[0], set[1], err)
			continue
		}
		res := spec.Evaluate(b.ix, cases)
		all = append(all, scored{filepath.Base(set[0]), res})
		r.p("| `%s` | %s | %d | %.3f | %.3f | %.3f |", set[0], set[1], res.N, res.Recall1, res.Recall5, res.MRR)
	}
	r.p("")
	r.p("By kind, Recall@1 / Recall@5 (n):")
	r.p("")
	kinds := map[string]bool{}
	head, rule := "| kind |", "|---|"
	for _, s := range all {
		head, rule = head+" "+s.name+" |", rule+"---|"
		for k := range s.res.ByKind {
			kinds[k] = true
		}
	}
	r.p("%s", head)
	r.p("%s", rule)
	for _, k := range sortedKeys(kinds) {
		label := k
		if label == "" {
			label = "(no kind given)"
		}
		row := "| " + label + " |"
		for _, s := range all {
			if kr := s.res.ByKind[k]; kr != nil {
				row += fmt.Sprintf(" %.3f / %.3f (%d) |", kr.Recall1, kr.Recall5, kr.N)
			} else {
				row += " — |"
			}
		}
		r.p("%s", row)
	}
	r.p("")
	byName := map[string]spec.EvalResult{}
	for _, s := range all {
		byName[s.name] = s.res
	}
	var frozen []spec.EvalResult
	for _, set := range spec.EvalSets() {
		if res, ok := byName[filepath.Base(set.Path)]; ok && set.Frozen {
			frozen = append(frozen, res)
		}
	}
	if pooled := spec.Pool(frozen...); pooled.N > 0 {
		r.p("The frozen sets together (never studied; %d queries): Recall@1 %.3f, Recall@5 %.3f.", pooled.N, pooled.Recall1, pooled.Recall5)
		r.p("")
	}
	r.p("Floors per set are enforced by `TestSearchQuality` (`go test ./spec -run Quality -v`); the dev set's is the product's bar, Recall@1 ≥ 0.85 and Recall@5 ≥ 0.97.")
	r.p("")
	return nil
}

// goBench runs the Go benchmarks of the spec package.
func (b *bench) goBench() error {
	fmt.Fprintln(os.Stderr, "running go test -bench…")
	goBench := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", "2000x", "./spec"}
	benchOut, err := exec.Command("go", goBench...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(goBench, " "), err, benchOut)
	}
	r := b.r
	r.p("## Go benchmarks")
	r.p("")
	r.p("`go %s`:", strings.Join(goBench, " "))
	r.p("")
	r.p("```")
	r.p("%s", strings.TrimSpace(string(benchOut)))
	r.p("```")
	return nil
}

func sortDurations(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fakeAPI stands in for Polytomic: /api/me answers at once, bulk sync
// "slow-*" after 200 ms, and bulk sync "huge" with a 100 MB body.
func fakeAPI() http.Handler {
	chunk := []byte(strings.Repeat("x", 1<<20))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/me":
			io.WriteString(w, `{"data":{"id":"u1","email":"bench@example.com","organization_id":"o1","organization_name":"Bench"}}`)
		case r.URL.Path == "/api/bulk/syncs/huge":
			io.WriteString(w, `{"data":"`)
			for i := 0; i < 100; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			io.WriteString(w, `"}`)
		case strings.HasPrefix(r.URL.Path, "/api/bulk/syncs/slow-"):
			time.Sleep(200 * time.Millisecond)
			io.WriteString(w, `{"data":{"id":"slow"}}`)
		default:
			io.WriteString(w, `{"data":{}}`)
		}
	})
}

func readEval(path string) ([]spec.EvalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return spec.ReadEvalCases(f)
}

const initLine = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}` + "\n"

// spawnTimes starts each server n times, alternating so that both see the
// same machine state, and returns sorted exec→initialize-reply durations.
func spawnTimes(ours, floor string, n int) ([]time.Duration, []time.Duration, error) {
	var a, b []time.Duration
	for i := 0; i < n; i++ {
		for _, which := range []struct {
			bin  string
			args []string
			dst  *[]time.Duration
		}{{ours, []string{"serve"}, &a}, {floor, nil, &b}} {
			d, err := spawnOnce(which.bin, which.args...)
			if err != nil {
				return nil, nil, err
			}
			*which.dst = append(*which.dst, d)
		}
	}
	sort.Slice(a, func(i, j int) bool { return a[i] < a[j] })
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	return a, b, nil
}

func spawnOnce(bin string, args ...string) (time.Duration, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + os.TempDir(), "PATH=/usr/bin:/bin"}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	if _, err := io.WriteString(stdin, initLine); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	d := time.Since(t0)
	stdin.Close()
	_ = cmd.Wait()
	if err != nil || !strings.Contains(line, `"id":1`) {
		return 0, fmt.Errorf("%s: no initialize reply (%v): %q", bin, err, line)
	}
	return d, nil
}

// exitAfterEOF starts a server, initializes it, closes stdin and times the
// exit.
func exitAfterEOF(bin string) (time.Duration, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"HOME=" + os.TempDir(), "PATH=/usr/bin:/bin"}
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	io.WriteString(in, initLine)
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		return 0, err
	}
	go io.Copy(io.Discard, out)
	t0 := time.Now()
	in.Close()
	err := cmd.Wait()
	return time.Since(t0), err
}

// session is one long-running server driven over stdio.
type session struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	next int
}

func startSession(bin string, env ...string) (*session, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"HOME=" + os.TempDir(), "PATH=/usr/bin:/bin", "POLYTOMIC_FEEDBACK_URL=off"}, env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &session{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), next: 1}
	if _, err := s.call("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "bench", "version": "1"}}); err != nil {
		return nil, err
	}
	_, err = io.WriteString(in, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	time.Sleep(100 * time.Millisecond) // let the background snapshot decode settle before reading idle RSS
	return s, err
}

func (s *session) call(method string, params any) ([]byte, error) {
	s.next++
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": s.next, "method": method, "params": params})
	if _, err := s.in.Write(append(msg, '\n')); err != nil {
		return nil, err
	}
	want := fmt.Sprintf(`"id":%d,`, s.next)
	for {
		line, err := s.out.ReadBytes('\n')
		if err != nil {
			return nil, err
		}
		if strings.Contains(string(line), want) {
			return line[:len(line)-1], nil
		}
	}
}

// parallel sends n requests at once and waits for all n replies.
func (s *session) parallel(n int, mk func(int) (string, any)) error {
	ids := map[string]bool{}
	var batch []byte
	for i := 0; i < n; i++ {
		s.next++
		method, params := mk(i)
		msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": s.next, "method": method, "params": params})
		batch = append(append(batch, msg...), '\n')
		ids[fmt.Sprintf(`"id":%d,`, s.next)] = true
	}
	if _, err := s.in.Write(batch); err != nil {
		return err
	}
	for len(ids) > 0 {
		line, err := s.out.ReadBytes('\n')
		if err != nil {
			return err
		}
		for id := range ids {
			if strings.Contains(string(line), id) {
				delete(ids, id)
			}
		}
	}
	return nil
}

func (s *session) close() {
	s.in.Close()
	_ = s.cmd.Wait()
}

func (s *session) rss() int64 { return procStatus(s.cmd.Process.Pid, "VmRSS:") }
func (s *session) hwm() int64 { return procStatus(s.cmd.Process.Pid, "VmHWM:") }

// procStatus reads a kB field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, field)), "%d", &kb)
			return kb * 1024
		}
	}
	return -1
}

func resultOf(reply []byte) []byte {
	var v struct {
		Result json.RawMessage `json:"result"`
	}
	_ = json.Unmarshal(reply, &v)
	return v.Result
}

func textLen(reply []byte) int {
	var v struct {
		Result struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
	}
	_ = json.Unmarshal(reply, &v)
	if len(v.Result.Content) == 0 {
		return 0
	}
	return len(v.Result.Content[0].Text)
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "model name") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

func median(d []time.Duration) time.Duration { return d[len(d)/2] }

func pct(d []time.Duration, p int) time.Duration {
	i := len(d) * p / 100
	if i >= len(d) {
		i = len(d) - 1
	}
	return d[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }
func mb(b int64) string         { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
