package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.speaker.proxy.HttpHealthResponse.Complete;
import io.herald.speaker.proxy.HttpHealthResponse.Malformed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decision on a decoded response; how bytes become one is HealthProbeTest's (proxy.netty). */
class HttpHealthResponseTest {

    /** kube-proxy's healthCheckNodePort body, as its Go server writes it. */
    static String kubeProxyBody(int localEndpoints) {
        return "{\"service\":{\"namespace\":\"ns\",\"name\":\"svc\"},\"localEndpoints\":" + localEndpoints
                + ",\"serviceProxyHealthy\":true}";
    }

    @ParameterizedTest(name = "localEndpoints {0}")
    @ValueSource(ints = {0, 1, 3})
    void kubeProxy200GivesItsLocalEndpoints(int n) {
        HttpHealthResponse r = HttpHealthResponse.of(200, kubeProxyBody(n));
        assertEquals(new Complete(200, n), r);
        assertEquals(HealthResult.passed(n), r.result());
    }

    @Test
    void kubeProxy503FailsButStillSaysZero() {
        HttpHealthResponse r = HttpHealthResponse.of(503, kubeProxyBody(0));
        assertEquals(new Complete(503, 0), r);
        assertEquals(new HealthResult(false, 0, "HTTP 503"), r.result());
    }

    @Test
    void twoHundredWithoutJsonSaysNothingAboutEndpoints() {
        assertEquals(new Complete(200, -1), HttpHealthResponse.of(200, "ok"));
        // kube-proxy's own healthz: JSON, but not the key
        assertEquals(
                new Complete(200, -1),
                HttpHealthResponse.of(
                        200, "{\"lastUpdated\": \"2025-11-21 12:00:00\",\"currentTime\": \"2025-11-21 12:00:01\"}"));
        assertEquals(HealthResult.passed(), HttpHealthResponse.of(200, "").result());
    }

    @Test
    void theKeyIsFoundTolerantlyAndOnlyAsAPlainCount() {
        assertEquals(7, HttpHealthResponse.localEndpoints("{ \"localEndpoints\" :\n 7 }"));
        assertEquals(12, HttpHealthResponse.localEndpoints("{\"note\":\"localEndpoints\",\"localEndpoints\":12}"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\":-1}"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\":\"3\"}"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\":3.5}"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\":1e3}"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\":99999999999999999999}"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\":2147483648}"));
        assertEquals(Integer.MAX_VALUE, HttpHealthResponse.localEndpoints("{\"localEndpoints\":2147483647}"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\":"));
        assertEquals(-1, HttpHealthResponse.localEndpoints("{\"localEndpoints\""));
        // a body cut at the cap still gives the count that came before the cut
        assertEquals(6, HttpHealthResponse.localEndpoints("{\"localEndpoints\":6,\"pad\":\"xxxxxxxx"));
    }

    @Test
    void otherStatusesFailWithTheirCodeAndDoNotReadTheKey() {
        assertEquals(
                new HealthResult(false, -1, "HTTP 500"),
                HttpHealthResponse.of(500, "{\"localEndpoints\":1}").result());
        assertEquals(
                new HealthResult(false, -1, "HTTP 404"),
                HttpHealthResponse.of(404, "").result());
        assertEquals(new Complete(204, -1), HttpHealthResponse.of(204, ""));
        assertEquals(
                new HealthResult(false, -1, "HTTP 101"),
                HttpHealthResponse.of(101, "").result());
    }

    @Test
    void aStatusThatIsNotThreeDigitsIsMalformed() {
        assertEquals(new Malformed("status 2000 is not three digits"), HttpHealthResponse.of(2000, ""));
        assertEquals(new Malformed("status 99 is not three digits"), HttpHealthResponse.of(99, ""));
        assertEquals(
                HealthResult.failed("malformed response: status 99 is not three digits"),
                HttpHealthResponse.of(99, "").result());
        assertThrows(IllegalArgumentException.class, () -> new Complete(99, -1));
        assertThrows(IllegalArgumentException.class, () -> new Complete(200, -2));
    }

    @Test
    void excerptsArePrintableAndShort() {
        assertEquals("'SSH-2.0-OpenSSH_9.6\\x0d\\x0a'", HttpHealthResponse.excerpt("SSH-2.0-OpenSSH_9.6\r\n"));
        assertEquals("'\\x00\\xff\\x27\\x5c'", HttpHealthResponse.excerpt("\u0000\u00ff'\\"));
        assertEquals("'" + "x".repeat(40) + "...'", HttpHealthResponse.excerpt("x".repeat(41)));
    }
}
