if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        # An upgrade: the new binary takes over.
        systemctl try-restart porticod.service >/dev/null 2>&1 || :
    fi
fi
# The store in /var/lib/portico stays: RPM has no purge; remove it by hand when done with it.
exit 0
