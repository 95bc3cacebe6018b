# The user and groups of /usr/lib/sysusers.d/porticod.conf (which is not installed yet).
getent group portico-admin >/dev/null || groupadd --system portico-admin
getent group portico >/dev/null || groupadd --system portico
getent passwd portico >/dev/null ||
    useradd --system --gid portico --home-dir /var/lib/portico --no-create-home \
        --shell /sbin/nologin --comment "Portico daemon" portico
exit 0
