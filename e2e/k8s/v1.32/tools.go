//go:build tools

// The oldest Kubernetes minor Herald supports: its API server, for the install and admission tests.
package v132

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
