#!/bin/sh
# A whole OneNET-style firmware upgrade against Updraft, as a device written for OneNET's OTA
# service would run it (docs/device-http.md, protocols.md §2.9), using only curl and openssl
# (plus sed, tr, od and wc from any POSIX system).
#
#   UPDRAFT_URL=http://127.0.0.1:8080 PRODUCT_KEY=pk_… DEVICE_NAME=m-1 DEVICE_ID=42 \
#   DEVICE_SECRET=<secret shown at registration> CURRENT_VERSION=1.0 sh docs/examples/onenet-upgrade.sh
#
# Steps: report the version, check for a task, token check, download in ranges, verify the MD5,
# report progress, 101 (downloaded) and 201 (upgraded).
set -eu
: "${UPDRAFT_URL:?}" "${PRODUCT_KEY:?}" "${DEVICE_NAME:?}" "${DEVICE_ID:?}" "${DEVICE_SECRET:?}"
CURRENT_VERSION=${CURRENT_VERSION:-1.0}
CHUNK=${CHUNK:-65536}
OUT=${OUT:-./firmware.bin}

# Authorization (protocols.md §2.2): the device secret is the accessKey. It is base64url; its
# bytes are the HMAC key.
res="products/${PRODUCT_KEY}/devices/${DEVICE_NAME}"
et=$(( $(date +%s) + 3600 ))
b64=$(printf '%s' "$DEVICE_SECRET" | tr -- '-_' '+/')
while [ $(( ${#b64} % 4 )) -ne 0 ]; do b64="${b64}="; done
hexkey=$(printf '%s' "$b64" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')
sign=$(printf '%s\n%s\n%s\n%s' "$et" sha256 "$res" 2018-10-31 \
  | openssl dgst -sha256 -mac HMAC -macopt "hexkey:${hexkey}" -binary | openssl base64 -A)
urlenc() { printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/+/%2B/g' -e 's/\//%2F/g' -e 's/=/%3D/g'; }
AUTH="version=2018-10-31&res=$(urlenc "$res")&et=${et}&method=sha256&sign=$(urlenc "$sign")"

api() { # method path [json body]
  curl -sS -X "$1" -H "Authorization: ${AUTH}" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "${UPDRAFT_URL}$2"
}
field() { # json name: a string or number field of a flat JSON object
  printf '%s' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}
errno_of() { field "$1" errno; }
must() { # answer step
  if [ "$(errno_of "$1")" != 0 ]; then echo "$2 failed: $1" >&2; exit 1; fi
}

# 0. Report the version.
must "$(api POST "/ota/device/version?dev_id=${DEVICE_ID}" "{\"f_version\":\"${CURRENT_VERSION}\"}")" 'version report'

# 1. Check for a task.
check=$(api GET "/ota/south/check?dev_id=${DEVICE_ID}&manuf=100&model=10001&type=1&version=${CURRENT_VERSION}&cdn=true&signals=-70&powers=90")
if [ "$(errno_of "$check")" = 11 ]; then echo "no task: $(field "$check" error)"; exit 0; fi
must "$check" check
token=$(field "$check" token)
size=$(field "$check" size)
md5=$(field "$check" md5)
target=$(field "$check" target)
echo "task: ${CURRENT_VERSION} -> ${target}, ${size} bytes"

# 2. Token check: the upgrade moves to downloading.
must "$(api GET "/ota/south/download/${token}/check?dev_id=${DEVICE_ID}")" 'token check'

# 3. Download in ranges (OneNET syntax, no unit), resuming from what is already on disk.
progress="/ota/south/device/download/${token}/progress?dev_id=${DEVICE_ID}"
: > "$OUT"
have=0
while [ "$have" -lt "$size" ]; do
  end=$(( have + CHUNK - 1 )); [ "$end" -ge "$size" ] && end=$(( size - 1 ))
  curl -sS -f -H "Range: ${have}-${end}" "${UPDRAFT_URL}/ota/south/download/${token}" >> "$OUT"
  have=$(wc -c < "$OUT" | tr -d ' ')
  step=$(( have * 100 / size )); [ "$step" -ge 100 ] && step=99
  must "$(api POST "$progress" "{\"step\":${step}}")" progress
done

got=$(openssl dgst -md5 -r "$OUT" | sed 's/ .*//')
if [ "$got" != "$md5" ]; then
  api POST "$progress" '{"step":205}' > /dev/null
  echo "MD5 mismatch: ${got} != ${md5}" >&2; exit 1
fi

# 4. Downloaded (101), then "flash and reboot", then upgraded (201).
must "$(api POST "$progress" '{"step":101}')" 'report 101'
must "$(api POST "$progress" '{"step":201}')" 'report 201'
echo "upgraded to ${target}"
