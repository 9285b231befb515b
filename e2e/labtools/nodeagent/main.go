// Command lab-node-agent stands in for a kubelet's heartbeat: it keeps one Node's status (addresses,
// Ready, NetworkUnavailable, capacity) and its Lease in kube-node-lease fresh, authenticated as that
// node. The lab turns readiness off by writing "false" to the ready file and sending SIGHUP, and
// stops the heartbeat altogether by stopping the process (SIGSTOP).
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type agent struct {
	server, node, readyFile, version string
	addresses                        stringList
	client                           *http.Client
	ready                            *bool
	transition                       time.Time
}

func main() {
	a := &agent{}
	var ca, cert, key string
	var interval time.Duration
	flag.StringVar(&a.server, "server", "", "API server URL")
	flag.StringVar(&ca, "ca", "", "CA bundle")
	flag.StringVar(&cert, "cert", "", "client certificate (CN=system:node:NAME)")
	flag.StringVar(&key, "key", "", "client key")
	flag.StringVar(&a.node, "node", "", "node name")
	flag.StringVar(&a.readyFile, "ready-file", "", "file holding true or false; missing means true")
	flag.StringVar(&a.version, "version", "v1.34.4", "version reported in nodeInfo")
	flag.Var(&a.addresses, "address", "InternalIP of the node (repeat per family)")
	flag.DurationVar(&interval, "interval", 10*time.Second, "heartbeat interval")
	flag.Parse()

	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		log.Fatalf("client certificate: %v", err)
	}
	pem, err := os.ReadFile(ca)
	if err != nil {
		log.Fatalf("CA: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	a.client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool}}}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	tick := time.NewTicker(interval)
	for {
		if err := a.beat(); err != nil {
			log.Printf("heartbeat: %v", err)
		}
		select {
		case <-tick.C:
		case <-hup:
		}
	}
}

func (a *agent) readyNow() bool {
	b, err := os.ReadFile(a.readyFile)
	return err != nil || strings.TrimSpace(string(b)) != "false"
}

func (a *agent) beat() error {
	now := time.Now().UTC()
	ready := a.readyNow()
	if a.ready == nil || *a.ready != ready {
		a.ready, a.transition = &ready, now
	}
	status, reason, msg := "True", "LabNodeReady", "lab node agent reports ready"
	if !ready {
		status, reason, msg = "False", "LabNodeNotReady", "turned off by the lab"
	}
	ts := now.Format(time.RFC3339)
	addrs := []map[string]string{{"type": "Hostname", "address": a.node}}
	for _, ip := range a.addresses {
		addrs = append(addrs, map[string]string{"type": "InternalIP", "address": ip})
	}
	resources := map[string]string{"cpu": "2", "memory": "4Gi", "pods": "110"}
	patch := map[string]any{"status": map[string]any{
		"addresses":   addrs,
		"capacity":    resources,
		"allocatable": resources,
		"nodeInfo": map[string]string{"kubeletVersion": a.version, "kubeProxyVersion": a.version,
			"operatingSystem": "linux", "architecture": "amd64", "containerRuntimeVersion": "lab://1"},
		"conditions": []map[string]string{
			{"type": "Ready", "status": status, "reason": reason, "message": msg,
				"lastHeartbeatTime": ts, "lastTransitionTime": a.transition.Format(time.RFC3339)},
			{"type": "NetworkUnavailable", "status": "False", "reason": "LabRoutes",
				"message": "the lab routes pod networks", "lastHeartbeatTime": ts, "lastTransitionTime": ts},
		},
	}}
	// A merge patch replaces lists whole: a strategic merge keys addresses by type and would
	// fold the two InternalIPs (one per family) into a duplicate.
	if err := a.send("PATCH", "/api/v1/nodes/"+a.node+"/status", "application/merge-patch+json", patch); err != nil {
		return err
	}
	lease := map[string]any{
		"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
		"metadata": map[string]any{"name": a.node, "namespace": "kube-node-lease"},
		"spec": map[string]any{"holderIdentity": a.node, "leaseDurationSeconds": 40,
			"renewTime": now.Format("2006-01-02T15:04:05.000000Z07:00")},
	}
	return a.send("PATCH", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"+a.node+
		"?fieldManager=lab-node-agent&force=true", "application/apply-patch+yaml", lease)
}

func (a *agent) send(method, path, contentType string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, a.server+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, msg)
	}
	return nil
}
