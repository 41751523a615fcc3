package forward

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// sendWithRetry sends the request, retrying where that is safe.
func (f *Forwarder) sendWithRetry(ctx context.Context, p *plan, query url.Values, key *string) (*httpReply, error) {
	retryable := retrySafe(p)
	start := time.Now()
	reloaded := false
	for attempt := 1; ; attempt++ {
		rep, err := f.send(ctx, p, query, *key)
		if err == nil && rep.status == http.StatusUnauthorized && !reloaded {
			reloaded = true
			if nk, kerr := f.keys.Reload(ctx); kerr == nil && nk != "" && nk != *key {
				f.logger.Info("API key rejected; retrying with the key now in the store")
				*key = nk
				attempt--
				continue
			}
		}
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || !retryable || !transient(err) || attempt >= maxAttempts {
				return nil, err
			}
			wait = backoff(attempt)
		case retryable && attempt < maxAttempts && retryStatus(rep.status):
			wait = retryAfter(rep.header, time.Now())
			if wait <= 0 {
				wait = backoff(attempt)
			}
		default:
			rep.attempts = attempt
			return rep, nil
		}
		if time.Since(start)+wait > maxRetryWait {
			if err != nil {
				return nil, err
			}
			rep.attempts = attempt
			return rep, nil
		}
		f.logger.Debug("retrying", "method", p.method, "path", p.path, "attempt", attempt, "wait", wait, "err", err)
		if err := f.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retrySafe: reads, and writes whose operation the description marks as
// honouring Idempotency-Key, sent with one. Any other write could be done
// twice by a second try, so it is sent once (an unlisted path always is).
func retrySafe(p *plan) bool {
	if spec.IsReadMethod(p.method) {
		return true
	}
	return p.op != nil && p.op.Idempotent && p.idemKey != ""
}

// retryStatus: rate limiting and server-side failures that a second try
// often gets past. Only requests that are safe to repeat are retried.
func retryStatus(s int) bool {
	switch s {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// transient reports connection-level failures worth another attempt.
func transient(err error) bool {
	if errors.Is(err, errCrossHostRedirect) || errors.Is(err, errOffAPIRedirect) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return false // the call's own deadline: no time left anyway
	}
	var tlsErr *tls.CertificateVerificationError
	if errors.As(err, &tlsErr) {
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || isNetOpError(err)
}

func isNetOpError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// backoff is exponential with full jitter: about 0.5 s, 1 s, 2 s.
func backoff(attempt int) time.Duration {
	base := 500 * time.Millisecond * time.Duration(math.Pow(2, float64(attempt-1)))
	return base/2 + time.Duration(rand.Int64N(int64(base/2)+1))
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
