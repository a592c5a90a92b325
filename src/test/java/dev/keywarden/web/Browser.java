package dev.keywarden.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal browser for tests: keeps the cookies the gateway sets (by name, whatever their Secure flag, since the
 * tests talk plain HTTP to loopback), sends them back, never follows redirects, and keeps every response it saw
 * (headers and body) for canary checks.
 */
final class Browser {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final Map<String, String> cookies = new LinkedHashMap<>();
    final List<String> setCookies = Collections.synchronizedList(new ArrayList<>());
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        if (!cookies.isEmpty()) {
            b.header("cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        for (String c : r.headers().allValues("set-cookie")) {
            setCookies.add(c);
            String pair = c.split(";", 2)[0];
            int eq = pair.indexOf('=');
            String name = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (value.isEmpty() || c.contains("Max-Age=0")) {
                cookies.remove(name);
            } else {
                cookies.put(name, value);
            }
        }
        Map<String, List<String>> headers = new LinkedHashMap<>(r.headers().map());
        headers.remove("set-cookie");
        seen.add(headers + "\n" + r.body());
        return r;
    }

    HttpResponse<String> get(URI uri, String... headers) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).headers(headersOrNone(headers)).GET());
    }

    HttpResponse<String> post(URI uri, String json, String... headers) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).header("content-type", "application/json").headers(headersOrNone(headers))
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> delete(URI uri, String... headers) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).headers(headersOrNone(headers)).DELETE());
    }

    private static String[] headersOrNone(String[] headers) {
        return headers.length == 0 ? new String[]{"accept", "application/json"} : headers;
    }

    static String signInBody(String user, String password) {
        return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
    }
}
