#!/bin/sh
# What an administrator might write without pam_resgrid, for the
# benchmark to compare against:
#
#   auth required pam_exec.so quiet expose_authtok /path/curl-login.sh CA URL
#
# pam_exec hands over the password on standard input, ending in a NUL
# byte, and a bare environment.  The password stays off every command
# line: curl reads and encodes it from its standard input.  Success is a
# 200 answer that holds an access token; nothing is cached.
PATH=/usr/bin:/bin
ca=$1
url=$2

tr -d '\000' |
	curl -q -s -f --cacert "$ca" --max-time 10 \
		--data-urlencode grant_type=password \
		--data-urlencode "username=$PAM_USER" \
		--data-urlencode password@- \
		--data-urlencode "scope=openid profile" \
		"$url/api/v4/connect/token" |
	grep -q '"access_token"'
