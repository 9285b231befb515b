//go:build tools

// The upstream end-to-end suite and its runner, pinned with the Kubernetes the lab runs.
package conformance

import (
	_ "github.com/onsi/ginkgo/v2/ginkgo"
	_ "k8s.io/kubernetes/test/e2e"
	_ "k8s.io/kubernetes/test/images/agnhost"
)
