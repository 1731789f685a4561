# Client-side time limits: SERVER_READ_TIMEOUT bounds reading a request (headers and body), SERVER_IDLE_TIMEOUT
# how long a kept-alive connection may sit between requests, SERVER_WRITE_TIMEOUT a single write to a client
# that stopped reading. None of them cuts a stream or a slow answer that outlasts them all.
source "$(dirname "$0")/lib.sh"

igw_start_mock upstream
igw_start_gateway gateway OPENAI_API_URL="$MOCK_URL" OPENAI_API_KEY=sk-test \
  SERVER_READ_TIMEOUT=500ms SERVER_IDLE_TIMEOUT=1500ms SERVER_WRITE_TIMEOUT=500ms

# probe CASE: drives one raw connection (python, standard library) and prints what it measured.
probe() {
  python3 - "$GW_PORT" "$1" <<'PY'
import socket, sys, time
port, case = int(sys.argv[1]), sys.argv[2]

def connect(rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    return s

def closed_after(s, limit=5.0):
    """Seconds until the gateway closes the connection (EOF or reset), reading whatever comes."""
    start = time.monotonic()
    s.settimeout(limit)
    try:
        while s.recv(65536):
            pass
    except (ConnectionResetError, socket.timeout) as e:
        if isinstance(e, socket.timeout):
            return -1
    return time.monotonic() - start

def response(s):
    s.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        rest += s.recv(4096)
    return head.split(b" ")[1].decode()

health = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
if case == "slow-headers":
    s = connect()
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
    print("%.2f" % closed_after(s))
elif case == "slow-body":
    s = connect()
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":")
    print("%.2f" % closed_after(s))
elif case == "idle":
    s = connect()
    s.sendall(health)
    first = response(s)
    time.sleep(0.9)  # longer than SERVER_READ_TIMEOUT, shorter than SERVER_IDLE_TIMEOUT
    s.sendall(health)
    second = response(s)
    print(first, second, "%.2f" % closed_after(s))
elif case == "stalled-reader":
    s = connect(rcvbuf=4096)
    body = b'{"model":"openai/mock-gpt-4o","stream":true,"messages":[{"role":"user","content":"flood"}]}'
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"x-mock-tokens: 200000\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    time.sleep(2.5)  # reads nothing: the gateway's writes stall
    got = b""
    s.settimeout(5)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        print("still-open", len(got))
        sys.exit(0)
    print("closed", len(got), b"[DONE]" in got)
PY
}

t=$(probe slow-headers)
python3 -c "import sys; t=float('$t'); sys.exit(0 if 0.35 <= t <= 3 else 1)" \
  || fail "a request whose headers never end: closed after $t s (SERVER_READ_TIMEOUT 500ms)"
ok "SERVER_READ_TIMEOUT closes a connection whose request headers never end (after $t s)"

t=$(probe slow-body)
python3 -c "import sys; t=float('$t'); sys.exit(0 if 0.35 <= t <= 3 else 1)" \
  || fail "a request whose body never ends: closed after $t s (SERVER_READ_TIMEOUT 500ms)"
ok "SERVER_READ_TIMEOUT closes a connection whose request body never ends (after $t s)"

read -r first second t < <(probe idle)
assert_eq "200 200" "$first $second" "two requests 0.9 s apart on one kept-alive connection"
python3 -c "import sys; t=float('$t'); sys.exit(0 if 1.2 <= t <= 4 else 1)" \
  || fail "an idle kept-alive connection: closed after $t s (SERVER_IDLE_TIMEOUT 1500ms)"
ok "SERVER_IDLE_TIMEOUT, not the read limit, bounds the wait between requests (closed after $t s)"

read -r state bytes done < <(probe stalled-reader)
assert_eq closed "$state" "a client that stops reading a big stream (after $bytes bytes)"
assert_eq False "$done" "the stream did not reach its end"
ok "SERVER_WRITE_TIMEOUT closes the connection of a client that stopped reading ($bytes bytes delivered)"

# A stream of 2.4 s (events every 200 ms) and an answer taking 1.2 s outlast every client-side limit.
out=$(igw_curl -N -H 'content-type: application/json' -H 'x-mock-token-delay-ms: 200' -H 'x-mock-tokens: 12' \
  -d '{"model":"openai/mock-gpt-4o","stream":true,"messages":[{"role":"user","content":"slow stream"}]}' \
  "$GW_URL/v1/chat/completions")
content=$(printf '%s\n' "$out" | sed -n 's/^data: //p' | grep -v '^\[DONE\]' | jq -j '.choices[0].delta.content // empty')
assert_eq "$(igw_mock_content "slow stream" 12)" "$content" "content of a 2.4 s stream"
assert_contains "$out" "data: [DONE]" "the end of a 2.4 s stream"
code=$(igw_curl -o "$IGW_E2E_TMP/slow.json" -w '%{http_code}' -H 'content-type: application/json' -H 'x-mock-latency-ms: 1200' \
  -d '{"model":"openai/mock-gpt-4o","messages":[{"role":"user","content":"slow answer"}]}' "$GW_URL/v1/chat/completions")
assert_eq 200 "$code" "an answer that takes 1.2 s"
assert_eq "$(igw_mock_content "slow answer" 16)" "$(jq -r '.choices[0].message.content' "$IGW_E2E_TMP/slow.json")" "its content"
ok "a 2.4 s stream and a 1.2 s answer outlast the 0.5 s read/write and 1.5 s idle limits"
