install -d -o portico -g portico -m 0750 /var/lib/portico
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -eq 1 ]; then
        # First install: follow the distribution's preset (enabled on most).
        systemctl --no-reload preset porticod.service >/dev/null 2>&1 || :
    fi
fi
exit 0
