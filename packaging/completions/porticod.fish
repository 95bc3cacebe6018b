complete -c porticod -l config -d 'Configuration file [default: /etc/portico/porticod.toml; optional with --dev]' -r -F
complete -c porticod -l data-dir -d 'Directory of the store (portico.redb) [default: /var/lib/portico; ./portico-data with --dev]' -r -F
complete -c porticod -l admin-socket -d 'Path of the admin socket [default: /run/portico/admin.sock; DATA_DIR/admin.sock with --dev]' -r -F
complete -c porticod -l http-listen -d 'Portal plain-HTTP listen address, e.g. 127.0.0.1:8080 (repeatable)' -r
complete -c porticod -l https-listen -d 'Portal HTTPS listen address, e.g. 127.0.0.1:8443 (repeatable)' -r
complete -c porticod -l restore -d 'Replace the store with a backup made by `portico backup` (the daemon must be stopped)' -r -F
complete -c porticod -l dev -d 'Development mode: data in ./portico-data, socket beside it, portal on http://127.0.0.1:8080 and https://127.0.0.1:8443 (local CA)'
complete -c porticod -l demo -d 'Seed the demo brand portal.localhost: a customer with a login, a rate card, a month of calls'
complete -c porticod -l check-config -d 'Validate the configuration and exit: 0 when it is usable, 1 naming the key and the reason'
complete -c porticod -s h -l help -d 'Print help (see more with \'--help\')'
complete -c porticod -s V -l version -d 'Print version'
