package io.hecate.agent.consul.testdouble;

import java.time.Instant;

/**
 * One request the double received, whatever became of it (answered, refused by the ACL check, or cut off
 * by {@code stop()}).
 *
 * @param path     the decoded path, e.g. "/v1/kv/config/app"
 * @param rawQuery the query string as sent, without '?' (empty when none)
 * @param token    the ACL token it carried (X-Consul-Token, "Authorization: Bearer", or ?token=), or null
 */
public record RecordedRequest(String method, String path, String rawQuery, String token, Instant time) {
}
