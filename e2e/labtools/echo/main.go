// Command lab-echo is the workload of the lab's pods: it answers HTTP, TCP and UDP with the pod's
// name and the client address it saw, so tests can tell which pod served them and whether the
// source address survived the trip. A TCP connection that starts with a PROXY protocol v2 header
// is read through it: the header's source is reported as the client and the TCP peer as "peer".
// GET /bytes/<n> answers n bytes (at most 1 GiB) for throughput measurements. GET /ready is the
// pod's readiness probe: 200 until the lab sends POST /ready?ready=false (and back with true), so a
// test can make a running pod unready through the kubelet's own probe; ECHO_READY=false starts it so.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var v2sig = []byte{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}

var podName, nodeName string

var unready atomic.Bool

func main() {
	httpPort := flag.Int("http", 8080, "HTTP port")
	tcpPort := flag.Int("tcp", 9000, "TCP echo port")
	udpPort := flag.Int("udp", 9001, "UDP echo port")
	tcpProxyPort := flag.Int("tcp-proxy", 9100, "TCP echo port that requires a PROXY protocol v2 header")
	flag.Parse()
	podName = os.Getenv("POD_NAME")
	nodeName = os.Getenv("NODE_NAME")
	if podName == "" {
		podName, _ = os.Hostname()
	}
	if v, err := strconv.ParseBool(os.Getenv("ECHO_READY")); err == nil {
		unready.Store(!v) // a pod that starts unready never passes its first probe
	}
	errs := make(chan error, 4)
	go func() { errs <- serveHTTP(*httpPort) }()
	go func() { errs <- serveTCP(*tcpPort, false) }()
	go func() { errs <- serveTCP(*tcpProxyPort, true) }()
	go func() { errs <- serveUDP(*udpPort) }()
	log.Fatal(<-errs)
}

// proxyConn is a connection whose client address may come from a PROXY v2 header. The header
// is read lazily, on the connection's own goroutine, so a slow client never blocks Accept.
type proxyConn struct {
	net.Conn
	r        *bufio.Reader
	required bool
	once     sync.Once
	client   net.Addr
	err      error
}

func newProxyConn(c net.Conn, required bool) *proxyConn {
	return &proxyConn{Conn: c, r: bufio.NewReader(c), required: required, client: c.RemoteAddr()}
}

func (c *proxyConn) Read(p []byte) (int, error) {
	if c.once.Do(c.readHeader); c.err != nil {
		return 0, c.err
	}
	return c.r.Read(p)
}

// RemoteAddr is the client: the PROXY header's source when there was one.
func (c *proxyConn) RemoteAddr() net.Addr {
	c.once.Do(c.readHeader)
	return c.client
}

// readHeader reads a PROXY v2 header if the connection starts with one. HTTP clients speak
// first, so peeking costs them nothing; when required, a connection without one is refused.
func (c *proxyConn) readHeader() {
	if !c.required {
		// Only HTTP peeks optionally: its clients send at least 16 bytes before waiting.
		_ = c.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		defer c.Conn.SetReadDeadline(time.Time{})
	}
	head, err := c.r.Peek(16)
	if err != nil || !bytes.Equal(head[:12], v2sig) {
		if c.required {
			c.err = errors.New("no PROXY v2 header")
		}
		return
	}
	length := int(binary.BigEndian.Uint16(head[14:16]))
	buf := make([]byte, 16+length)
	if _, err := io.ReadFull(c.r, buf); err != nil {
		c.err = fmt.Errorf("short PROXY v2 header: %w", err)
		return
	}
	body := buf[16:]
	switch buf[13] >> 4 { // address family
	case 1: // IPv4
		if len(body) >= 12 {
			c.client = &net.TCPAddr{IP: net.IP(body[0:4]), Port: int(binary.BigEndian.Uint16(body[8:10]))}
		}
	case 2: // IPv6
		if len(body) >= 36 {
			c.client = &net.TCPAddr{IP: net.IP(body[0:16]), Port: int(binary.BigEndian.Uint16(body[32:34]))}
		}
	}
}

type listener struct {
	net.Listener
	peek, required bool
}

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	pc := newProxyConn(c, l.required)
	if !l.peek && !l.required {
		pc.once.Do(func() {}) // plain echo: the banner goes out at once, no header is looked for
	}
	return pc, nil
}

func serveHTTP(port int) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/ready", serveReady)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "pod=%s node=%s client=%s\n", podName, nodeName, r.RemoteAddr)
	})
	mux.HandleFunc("/bytes/", serveBytes)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(listener{ln, true, false})
}

// serveReady answers the readiness probe, and sets readiness on POST /ready?ready=true|false.
func serveReady(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		v, err := strconv.ParseBool(r.URL.Query().Get("ready"))
		if err != nil {
			http.Error(w, "want POST /ready?ready=true|false", http.StatusBadRequest)
			return
		}
		unready.Store(!v)
		fmt.Fprintf(w, "ready=%t\n", v)
		return
	}
	if unready.Load() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// maxBytes is the largest body /bytes/<n> answers.
const maxBytes = 1 << 30

// filler is what /bytes/<n> bodies are cut from: written as is, it costs no allocation per request.
var filler = bytes.Repeat([]byte("herald-echo-bytes\n"), 64<<10/18+1)[:64<<10]

// serveBytes answers GET /bytes/<n> with n bytes of text (Content-Length n); n must be a decimal
// number from 0 to 1 GiB, anything else is 400 Bad Request.
func serveBytes(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/bytes/"), 10, 64)
	if err != nil || n < 0 || n > maxBytes {
		http.Error(w, fmt.Sprintf("want /bytes/<n> with 0 <= n <= %d", maxBytes), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	if r.Method == http.MethodHead {
		return
	}
	for n > 0 {
		k, err := w.Write(filler[:min(n, int64(len(filler)))])
		if err != nil {
			return // the client went away
		}
		n -= int64(k)
	}
}

func serveTCP(port int, proxyRequired bool) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	ln = listener{ln, false, proxyRequired}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func(c *proxyConn) {
			defer c.Close()
			client := c.RemoteAddr()
			if c.err != nil {
				log.Printf("dropping %v: %v", c.Conn.RemoteAddr(), c.err)
				return
			}
			fmt.Fprintf(c, "pod=%s node=%s client=%s peer=%s\n", podName, nodeName, client, c.Conn.RemoteAddr())
			_, _ = io.Copy(c.Conn, c)
		}(c.(*proxyConn))
	}
}

func serveUDP(port int) error {
	pc, err := net.ListenPacket("udp", ":"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	buf := make([]byte, 65535)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return err
		}
		reply := fmt.Sprintf("pod=%s node=%s client=%s data=%s", podName, nodeName, addr, buf[:n])
		_, _ = pc.WriteTo([]byte(reply), addr)
	}
}
