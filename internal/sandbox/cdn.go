package sandbox

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
)

// The answers of FailCDNTimeout, FailCDNError and FailRedirect: what a client
// meets when a CDN or a proxy, not the vendor, answers. They are modeled on
// Cloudflare's and nginx's pages so that a client is tested against the HTML a
// real one sends, which it must neither parse as the vendor's JSON nor dump
// whole into an error message.

// cdnTimeoutStatus is Cloudflare's 524, "A timeout occurred": the origin
// accepted the connection and the request but did not answer in time. The
// origin goes on with the request, which is why FailCDNTimeout applies it.
const cdnTimeoutStatus = 524

// cdnErrorStatuses are the answers of FailCDNError: a CDN that could not get
// the request to the origin (or, for 520, got an answer it could not read;
// the sandbox keeps it simple and applies none of them).
var cdnErrorStatuses = []int{http.StatusBadGateway, 520, 521, 522, 523}

// cdnError is the wording of one CDN error page, after Cloudflare's.
type cdnError struct {
	title        string
	whatHappened string
	ownerAdvice  string
}

var cdnErrors = map[int]cdnError{
	http.StatusBadGateway: {
		"Bad gateway",
		"The web server reported a bad gateway error.",
		"Please try again in a few minutes. If the problem persists, contact your hosting provider.",
	},
	520: {
		"Web server is returning an unknown error",
		"There is an unknown connection issue between Cloudflare and the origin web server. As a result, the web page can not be displayed.",
		"There is an issue between Cloudflare's cache and your origin web server. Cloudflare monitors for these errors and automatically investigates the cause.",
	},
	521: {
		"Web server is down",
		"The web server is not returning a connection. As a result, the web page is not displaying.",
		"Contact your hosting provider letting them know your web server is not responding.",
	},
	522: {
		"Connection timed out",
		"The initial connection between Cloudflare's network and the origin web server timed out. As a result, the web page can not be displayed.",
		"Contact your hosting provider letting them know your web server is not completing requests.",
	},
	523: {
		"Origin is unreachable",
		"The origin web server is not reachable.",
		"Check your DNS Settings. A 523 error means that Cloudflare could not reach your host web server.",
	},
	cdnTimeoutStatus: {
		"A timeout occurred",
		"The origin web server timed out responding to this request.",
		"The connection to the origin web server was made, but the origin web server timed out before responding. " +
			"The likely cause is an overloaded background task, database or application, stressing the resources on your web server.",
	},
}

// cdnPage is a Cloudflare-like error page: several kilobytes of markup and
// style around one sentence, as the real ones are.
var cdnPage = template.Must(template.New("cdn").Parse(`<!DOCTYPE html>
<html class="no-js" lang="en-US">
<head>
<title>{{.Host}} | {{.Status}}: {{.Title}}</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=Edge" />
<meta name="robots" content="noindex, nofollow" />
<meta name="viewport" content="width=device-width,initial-scale=1" />
<style>
body{margin:0;padding:0;font-family:-apple-system,system-ui,BlinkMacSystemFont,"Segoe UI",Roboto,Oxygen,Ubuntu,"Helvetica Neue",Arial,sans-serif;color:#404040;background:#fff}
#cf-wrapper{width:100%;min-height:100%}
#cf-error-details header{max-width:60rem;margin:0 auto;padding:2.5rem 2rem 1.5rem}
#cf-error-details h1{display:inline-block;font-size:3.75rem;font-weight:300;line-height:1.14;margin:0 .5rem 0 0;color:#313131}
#cf-error-details .code-label{display:inline-block;font-size:1.5rem;font-weight:400;color:#828282;white-space:nowrap}
#cf-error-details .cf-highlight{background:#ebebeb;background:linear-gradient(#dedede,#ebebeb 3%,#ebebeb 97%,#dedede);padding:2rem 0}
#cf-error-details .cf-columns{max-width:60rem;margin:0 auto;display:flex;flex-wrap:wrap}
#cf-error-details .cf-column{flex:1 1 33%;text-align:center;padding:1rem 0}
#cf-error-details .cf-column h3{font-size:1.5rem;font-weight:400;margin:.5rem 0 0}
#cf-error-details .cf-column .cf-label{font-size:1.1rem;color:#999}
#cf-error-details .cf-status-ok{color:#9bca3e}
#cf-error-details .cf-status-error{color:#bd2426}
#cf-error-details section{max-width:60rem;margin:2rem auto;display:flex;flex-wrap:wrap;gap:2rem;padding:0 2rem}
#cf-error-details section div{flex:1 1 20rem;line-height:1.5}
#cf-error-details h2{font-size:1.875rem;font-weight:400;margin:0 0 1rem}
#cf-error-details h4{font-size:1rem;font-weight:600;margin:1rem 0 .5rem}
.cf-error-footer{max-width:60rem;margin:0 auto;padding:1rem 2rem;border-top:1px solid #ededed;text-align:center;font-size:.8125rem}
.cf-error-footer .cf-footer-separator{padding:0 .25rem}
@media screen and (max-width:720px){#cf-error-details h1{font-size:2.25rem}#cf-error-details .cf-column{flex-basis:100%}}
</style>
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details">
    <header>
      <h1>
        <span class="cf-error-type">{{.Title}}</span>
        <span class="code-label">Error code {{.Status}}</span>
      </h1>
      <div>Visit <a href="https://www.cloudflare.com/5xx-error-landing?utm_source=errorcode_{{.Status}}" target="_blank" rel="noopener noreferrer">cloudflare.com</a> for more information.</div>
      <div class="cf-time">{{.Time}}</div>
    </header>
    <div class="cf-highlight">
      <div class="cf-columns">
        <div class="cf-column" id="cf-browser-status">
          <span class="cf-label">You</span>
          <h3>Browser</h3>
          <span class="cf-status-ok">Working</span>
        </div>
        <div class="cf-column" id="cf-cloudflare-status">
          <span class="cf-label">Cloudflare</span>
          <h3>Cloudflare</h3>
          <span class="cf-status-ok">Working</span>
        </div>
        <div class="cf-column" id="cf-host-status">
          <span class="cf-label">{{.Host}}</span>
          <h3>Host</h3>
          <span class="cf-status-error">Error</span>
        </div>
      </div>
    </div>
    <section>
      <div>
        <h2>What happened?</h2>
        <p>{{.WhatHappened}}</p>
      </div>
      <div>
        <h2>What can I do?</h2>
        <h4>If you're a visitor of this website:</h4>
        <p>Please try again in a few minutes.</p>
        <h4>If you're the owner of this website:</h4>
        <p>{{.OwnerAdvice}}</p>
      </div>
    </section>
    <div class="cf-error-footer">
      <p>
        <span class="cf-footer-item">Cloudflare Ray ID: <strong>{{.RayID}}</strong></span>
        <span class="cf-footer-separator">&bull;</span>
        <span class="cf-footer-item">Performance &amp; security by <a rel="noopener noreferrer" href="https://www.cloudflare.com/5xx-error-landing?utm_source=errorcode_{{.Status}}" target="_blank">Cloudflare</a></span>
      </p>
    </div>
  </div>
</div>
</body>
</html>
`))

// pickCDNErrorStatus draws the status of a FailCDNError from the fault RNG,
// so that a seeded run replays the same statuses.
func (s *Sandbox) pickCDNErrorStatus() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cdnErrorStatuses[s.rng.IntN(len(cdnErrorStatuses))]
}

// writeCDNError answers status with the CDN's HTML page and headers, and none
// of the vendor's.
func (s *Sandbox) writeCDNError(w http.ResponseWriter, r *http.Request, status int) {
	e, ok := cdnErrors[status]
	if !ok {
		panic(fmt.Sprintf("sandbox: no CDN page for status %d", status))
	}
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	// A Ray ID names one request at Cloudflare; crypto randomness keeps the
	// seeded fault RNG, and so the replay of a seed, out of it.
	ray := randomHex(16) + "-SBX"
	var page bytes.Buffer
	err := cdnPage.Execute(&page, map[string]any{
		"Host":         r.Host,
		"Status":       strconv.Itoa(status),
		"Title":        e.title,
		"Time":         now.UTC().Format("2006-01-02 15:04:05 UTC"),
		"WhatHappened": e.whatHappened,
		"OwnerAdvice":  e.ownerAdvice,
		"RayID":        ray,
	})
	if err != nil {
		// The template and its data are the sandbox's own: failing is a bug.
		panic(fmt.Sprintf("sandbox: CDN page: %v", err))
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=UTF-8")
	h.Set("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate")
	h.Set("Server", "cloudflare")
	h.Set("CF-RAY", ray)
	w.WriteHeader(status)
	_, _ = w.Write(page.Bytes())
}

// redirectOrigin is where FailRedirect sends a client: another origin, on a
// loopback port where nothing listens, so that a client that wrongly follows
// it reaches nobody and its credentials never leave the machine.
const redirectOrigin = "http://127.0.0.1:1"

// redirectPage is nginx's page for a 307, which is what a misconfigured proxy
// in front of an API typically sends.
const redirectPage = `<html>
<head><title>307 Temporary Redirect</title></head>
<body>
<center><h1>307 Temporary Redirect</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// writeRedirect answers 307 to the same path and query on redirectOrigin. A
// 307 (not 301/302) keeps the method and body, so a client that follows it
// would replay the write with its credentials: exactly what it must refuse.
func writeRedirect(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Location", redirectOrigin+r.URL.RequestURI())
	h.Set("Content-Type", "text/html")
	h.Set("Server", "nginx")
	w.WriteHeader(http.StatusTemporaryRedirect)
	_, _ = w.Write([]byte(redirectPage))
}
