#!/usr/bin/env bash
# Issue 14's attacks, re-run against a real `loaxa serve` (a temporary station, null audio, a
# free local port) with curl, and the result of each. deploy/RELIABILITY.md lists a run; the
# tests guarding each point are named there too (tests/integration/security.rs).
#
#   deploy/proof/security.sh              # builds target/debug/loaxa if needed (~1 minute once built)
#   LOAXA_BIN=target/release/loaxa deploy/proof/security.sh
#
# Exits non-zero if any try gets through.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${LOAXA_BIN:-target/debug/loaxa}"
[ -x "$bin" ] || cargo build --locked --bin loaxa
dir="$(mktemp -d)"
port="$(( 20000 + RANDOM % 20000 ))"
base="http://127.0.0.1:$port"
cat >"$dir/loaxa.toml" <<EOF
data_dir = "$dir/data"
[audio]
output = "null"
[web]
listen = "127.0.0.1:$port"
request_timeout_seconds = 3
EOF
export LOAXA_CONFIG="$dir/loaxa.toml"
"$bin" serve >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

failed=0
say() { printf '%-66s %s\n' "$1" "$2"; }
check() { # what, got, wanted
    if [ "$2" = "$3" ]; then say "$1" "ok ($2)"; else say "$1" "GOT THROUGH ($2, wanted $3)"; failed=1; fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
location() { curl -s -o /dev/null -w '%{redirect_url}' "$@"; }

# 3. Open redirect.
check "GET /lang/en?next=/%09/evil.example -> home" \
    "$(curl -s -o /dev/null -w '%header{location}' "$base/lang/en?next=/%09/evil.example")" "/"
check "GET /lang/en?next=/x%0d%0aSet-Cookie:... -> 303, not 500" \
    "$(status "$base/lang/en?next=/x%0d%0aSet-Cookie:%20a=b")" "303"
check "Referer http://x/\\t/evil.example -> home" \
    "$(curl -s -o /dev/null -w '%header{location}' -H $'Referer: http://x/\t/evil.example' "$base/lang/vi")" "/"

# 5. Large bodies and slow clients.
head -c 1048576 /dev/zero | tr '\0' a >"$dir/big"
check "1 MB body to POST /login -> 413" \
    "$(status -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$dir/big" "$base/login")" "413"
setup="$(grep -o '/setup/[0-9a-f]*' "$dir/serve.log" | head -1)"
check "1 MB body to POST $setup... -> 413" \
    "$(status -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$dir/big" "$base$setup")" "413"
start=$SECONDS
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&3
timeout 20 cat <&3 >/dev/null || true
exec 3>&-
held=$(( SECONDS - start ))
check "headers never finished: connection closed within 10 s" "$([ $held -le 10 ] && echo yes || echo "no, ${held}s")" "yes"
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=a' >&4
answer="$(timeout 15 head -1 <&4 | tr -d '\r' || true)"
exec 4>&-
check "form body never finished -> 408" "${answer:9:3}" "408"

# 8. The setup link: `loaxa setup-link` replaces it (its 24 h expiry is tested on the simulated
# clock: sessions::a_setup_link_a_day_old_says_what_to_run_and_makes_no_admin).
new_setup="$("$bin" setup-link | grep -o '/setup/[0-9a-f]*' | head -1)"
check "loaxa setup-link: the old link no longer shows the form" \
    "$(curl -s "$base$setup" | grep -c 'name="password2"' || true)" "0"
check "loaxa setup-link: the new link shows it" \
    "$(curl -s "$base$new_setup" | grep -c 'name="password2"' || true)" "1"

# 8. Sessions and the CSRF token (before the burst below throttles this address).
printf 'mật khẩu đủ dài\n' | "$bin" user add quan-tri --role admin >/dev/null
sjar="$dir/sjar"
curl -s -c "$sjar" -o /dev/null "$base/login"
sform="$(awk '$6 == "loaxa_login" { print $7 }' "$sjar")"
planted="0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
curl -s -b "$sjar" -b "loaxa_session=$planted" -c "$sjar" -o /dev/null -X POST --data-urlencode name=quan-tri \
    --data-urlencode 'password=mật khẩu đủ dài' --data-urlencode "form=$sform" "$base/login"
session="$(awk '$6 == "loaxa_session" { print $7 }' "$sjar")"
check "sign-in with a planted session id gets a new one" "$([ -n "$session" ] && [ "$session" != "$planted" ] && echo new || echo same)" "new"
csrf="$(curl -s -b "$sjar" "$base/library" | grep -o 'name="csrf" content="[0-9a-f]*"' | grep -o '[0-9a-f]\{64\}')"
check "no csrf in any href/action of the library and users pages" \
    "$(curl -s -b "$sjar" "$base/library" "$base/users" "$base/items/new" | grep -Eoc '(href|action|src)="[^"]*csrf' || true)" "0"
printf 'ID3' >"$dir/x.mp3"
check "multipart upload with the token only in the URL -> 403" \
    "$(status -b "$sjar" -F "file=@$dir/x.mp3" "$base/api/v1/media?csrf=$csrf")" "403"
check "multipart upload with the token after the file -> 403" \
    "$(status -b "$sjar" -F "file=@$dir/x.mp3" -F "csrf=$csrf" "$base/api/v1/media")" "403"
timeout 15 curl -s -N -b "$sjar" "$base/api/v1/events" >/dev/null &
sse=$!
sleep 1
start=$SECONDS
status -b "$sjar" -X POST -H "X-CSRF-Token: $csrf" "$base/logout" >/dev/null
wait $sse || true
held=$(( SECONDS - start ))
check "event stream closed within 5 s of logout" "$([ $held -le 5 ] && echo yes || echo "no, ${held}s")" "yes"

# 8. Token scopes and revocation.
printf 'mật khẩu đủ dài\n' | "$bin" user add canh-bao --role operator >/dev/null
cap="$("$bin" token create --user canh-bao --label relay --scope cap 2>/dev/null)"
capi() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $cap" -H 'Content-Type: application/json' "$@"; }
check "cap token: POST /api/v1/emergency with any text -> 403" \
    "$(capi -X POST -d '{"text":"Sơ tán ngay"}' "$base/api/v1/emergency")" "403"
check "cap token: GET /api/v1/status -> 403" "$(capi "$base/api/v1/status")" "403"
check "cap token: POST /api/v1/cap reaches the CAP parser -> 422" \
    "$(capi -X POST -H 'Content-Type: application/xml' -d '<alert/>' "$base/api/v1/cap")" "422"
check "loaxa token list shows no secret" "$("$bin" token list | grep -c "$cap" || true)" "0"
id="$("$bin" token list | awk -F'\t' '$3 == "relay" { print $1 }')"
"$bin" token revoke "$id" >/dev/null
check "revoked token -> 401" \
    "$(capi -X POST -H 'Content-Type: application/xml' -d '<alert/>' "$base/api/v1/cap")" "401"
reader="$("$bin" token create --user canh-bao --label bang --scope read 2>/dev/null)"
check "read token: GET /api/v1/status -> 200" \
    "$(status -H "Authorization: Bearer $reader" "$base/api/v1/status")" "200"
check "read token: DELETE /api/v1/emergency -> 403" \
    "$(status -H "Authorization: Bearer $reader" -X DELETE "$base/api/v1/emergency")" "403"

# 4. Sign-in throttling: 40 parallel wrong passwords from one address.
printf 'mật khẩu đủ dài\n' | "$bin" user add truc-ban --role operator >/dev/null
jar="$dir/jar"
curl -s -c "$jar" -o /dev/null "$base/login"
form="$(awk '$6 == "loaxa_login" { print $7 }' "$jar")"
(
    for i in $(seq 40); do
        curl -s -b "$jar" -o /dev/null -w '%{http_code}\n' -X POST \
            --data-urlencode "name=truc-ban" --data-urlencode "password=sai $i" \
            --data-urlencode "form=$form" "$base/login" &
    done
    wait
) >"$dir/burst"
checked=$(grep -c '^200$' "$dir/burst" || true)
refused=$(grep -c '^429$' "$dir/burst" || true)
check "40 parallel wrong passwords: at most 7 checked" "$([ "$checked" -le 7 ] && echo yes || echo "no, $checked")" "yes"
say "  (checked $checked, refused $refused with 429)" ""
# One more wrong try (let through if the wait passed meanwhile), then at once a forged address.
status -b "$jar" -X POST --data-urlencode name=truc-ban --data-urlencode password=sai \
    --data-urlencode "form=$form" "$base/login" >/dev/null
check "a forged X-Forwarded-For gets no fresh budget -> 429" \
    "$(status -b "$jar" -H 'X-Forwarded-For: 203.0.113.9' -X POST --data-urlencode name=truc-ban \
        --data-urlencode 'password=mật khẩu đủ dài' --data-urlencode "form=$form" "$base/login")" "429"

# 2. An approver deciding a version they edited.
for who in bien-tap:editor lanh-dao:approver lanh-dao-2:approver; do
    printf 'mật khẩu đủ dài\n' | "$bin" user add "${who%%:*}" --role "${who##*:}" >/dev/null
done
token() { "$bin" token create --user "$1" 2>/dev/null | grep -Eo '[0-9a-f]{64}' | head -1; }
editor="$(token bien-tap)"; leader="$(token lanh-dao)"; leader2="$(token lanh-dao-2)"
api() { local t="$1"; shift; curl -s -H "Authorization: Bearer $t" -H 'Content-Type: application/json' "$@"; }
slogan="$(api "$editor" -X POST -d '{"text":"Chào mừng","effect":"static","color":"vàng"}' "$base/api/v1/display/slogans" | grep -Eo '"id":[0-9]+' | head -1 | cut -d: -f2)"
api "$leader" -X PUT -d '{"text":"Lời của lãnh đạo","effect":"static","color":"vàng"}' "$base/api/v1/display/slogans/$slogan" >/dev/null
api "$editor" -X POST "$base/api/v1/display/slogans/$slogan/submit" >/dev/null
check "approver approves a slogan they edited -> 403" \
    "$(api "$leader" -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/display/slogans/$slogan/approve")" "403"
check "another approver approves it -> 200" \
    "$(api "$leader2" -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/display/slogans/$slogan/approve")" "200"

# 1. Emergency text shaped like espeak-ng options.
operator="$(token truc-ban)"
api "$operator" -o /dev/null -X POST -d "{\"text\":\"--phonout=$dir/phonout -f /etc/passwd\",\"repeat\":1}" "$base/api/v1/emergency"
sleep 4
api "$operator" -o /dev/null -X DELETE "$base/api/v1/emergency"
check "emergency text --phonout=FILE: no file appears" "$([ -e "$dir/phonout" ] && echo created || echo none)" "none"

# 7. A crafted backup: a symlink where a recording goes, and a ../ name.
kill $pid; wait $pid 2>/dev/null || true
mkdir -p "$dir/craft/loaxa-backup/media/objects/ab" "$dir/outside"
ln -s /etc/passwd "$dir/craft/loaxa-backup/media/objects/ab/$(printf 'ab%062d' 0).mp3"
printf '{"format":1,"version":"x","created_at":"x","recordings":0}' >"$dir/craft/loaxa-backup/manifest.json"
cp "$dir/data/loaxa.sqlite3" "$dir/craft/loaxa-backup/loaxa.sqlite3"
tar -C "$dir/craft" -cf "$dir/symlink.tar" loaxa-backup
before="$(sha256sum "$dir/data/loaxa.sqlite3" | cut -d' ' -f1)"
out="$("$bin" restore "$dir/symlink.tar" 2>&1 || true)"
check "restore of an archive with a symlink -> refused" "$(grep -q 'not a regular file' <<<"$out" && echo refused || echo "$out")" "refused"
tar -C "$dir/craft" -cf "$dir/dotdot.tar" --transform 's|^loaxa-backup/manifest.json|loaxa-backup/../../outside/x|' loaxa-backup/manifest.json loaxa-backup/loaxa.sqlite3
out="$("$bin" restore "$dir/dotdot.tar" 2>&1 || true)"
check "restore of an archive with ../ -> refused, nothing outside" \
    "$(grep -q 'no backup writes' <<<"$out" && [ -z "$(ls "$dir/outside")" ] && echo refused || echo "$out")" "refused"
check "the old database is intact" "$(sha256sum "$dir/data/loaxa.sqlite3" | cut -d' ' -f1)" "$before"

exit $failed
