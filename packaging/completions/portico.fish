# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_portico_global_optspecs
    string join \n socket= json h/help V/version
end

function __fish_portico_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_portico_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_portico_using_subcommand
    set -l cmd (__fish_portico_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c portico -n "__fish_portico_needs_command" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_needs_command" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_needs_command" -s V -l version -d 'Print version'
complete -c portico -n "__fish_portico_needs_command" -f -a "version" -d 'Show the versions of this portico and of the daemon'
complete -c portico -n "__fish_portico_needs_command" -f -a "domain" -d 'Portal domains (one brand on one FQDN)'
complete -c portico -n "__fish_portico_needs_command" -f -a "file" -d 'The public file store (logos and other public files)'
complete -c portico -n "__fish_portico_needs_command" -f -a "customer" -d 'Customers and carriers'
complete -c portico -n "__fish_portico_needs_command" -f -a "contact" -d 'Portal logins of customers'
complete -c portico -n "__fish_portico_needs_command" -f -a "ratecard" -d 'Rate cards'
complete -c portico -n "__fish_portico_needs_command" -f -a "route" -d 'Rate card assignments of customers'
complete -c portico -n "__fish_portico_needs_command" -f -a "payment" -d 'Payments of customers'
complete -c portico -n "__fish_portico_needs_command" -f -a "alert" -d 'Low-balance alerts'
complete -c portico -n "__fish_portico_needs_command" -f -a "package" -d 'Packages sold to customers'
complete -c portico -n "__fish_portico_needs_command" -f -a "contract" -d 'Contracts customers read and approve'
complete -c portico -n "__fish_portico_needs_command" -f -a "cdr" -d 'Call detail records: import, list, assign, quarantine'
complete -c portico -n "__fish_portico_needs_command" -f -a "report" -d 'Reports on a customer\'s calls: breakout and summaries'
complete -c portico -n "__fish_portico_needs_command" -f -a "audit" -d 'Show the newest entries of the audit log'
complete -c portico -n "__fish_portico_needs_command" -f -a "ca" -d 'The local certificate authority (--dev and air-gapped installs)'
complete -c portico -n "__fish_portico_needs_command" -f -a "export" -d 'Print the daemon\'s full export as JSON (secrets only as hashes)'
complete -c portico -n "__fish_portico_needs_command" -f -a "backup" -d 'Write a consistent copy of the daemon\'s store to FILE while it runs'
complete -c portico -n "__fish_portico_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand version" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand version" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "list" -d 'List every domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "show" -d 'Show every setting of one domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "add" -d 'Add a domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "set" -d 'Change settings of a domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "rm" -d 'Remove a domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "status" -d 'Show the HTTPS state of every domain, or of one: DNS check, certificate, orders'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "check" -d 'Check a domain\'s DNS now (CNAME to [tls] cname_target, CAA) and order at once if it passes'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "cert" -d 'Certificates uploaded instead of ACME'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "smtp-test" -d 'Send a test mail through a domain\'s SMTP settings'
complete -c portico -n "__fish_portico_using_subcommand domain; and not __fish_seen_subcommand_from list show add set rm status check cert smtp-test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from list" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from list" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from show" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from show" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l currencies -d 'ISO 4217 codes offered at sign-up, comma separated (e.g. USD,EUR)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l brand-name -d 'The brand\'s name (shown when there is no logo, and in titles)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l customer-signup -d 'Let customers sign up by themselves' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l carrier-signup -d 'Let carriers sign up by themselves' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l signup-status -d 'Status of self-signed-up accounts: active or pending_approval' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l template-customer -d 'Customer whose values seed every self-signed-up account, or `none`' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l access -d 'The whole set of sections customers see, comma separated ("" for none)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l show -d 'Show a section to customers (repeatable)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l hide -d 'Hide a section from customers (repeatable)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l cdr-columns -d 'CDR columns shown to customers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l carrier-cdr-columns -d 'CDR columns shown to carriers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l breakout-columns -d 'Breakout columns shown to customers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l carrier-breakout-columns -d 'Breakout columns shown to carriers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l custom-js -d 'Custom JavaScript, or <script src="https://..."> tags' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l custom-js-file -d 'Read the custom JavaScript from a file ("-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l custom-css -d 'Custom CSS (e.g. overriding --portico-accent)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l custom-css-file -d 'Read the custom CSS from a file ("-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l logo -d 'Logo: a file of the public file store (see `portico file put`), or `none`' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l footer -d 'Plain text at the bottom of every page' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l smtp-host -d 'SMTP server host name (any --smtp-* flag sets SMTP)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l smtp-port -d 'SMTP server port (default 587)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l smtp-security -d 'SMTP connection security: starttls, tls or none' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l smtp-username -d 'SMTP user name for AUTH' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l smtp-password -d 'SMTP password (visible to other local users; prefer --smtp-password-file)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l smtp-password-file -d 'Read the SMTP password from a file (first line; "-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l smtp-from -d 'The From address of mails sent for the brand' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l no-smtp -d 'Remove the SMTP settings'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l currencies -d 'ISO 4217 codes offered at sign-up, comma separated (e.g. USD,EUR)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l brand-name -d 'The brand\'s name (shown when there is no logo, and in titles)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l customer-signup -d 'Let customers sign up by themselves' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l carrier-signup -d 'Let carriers sign up by themselves' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l signup-status -d 'Status of self-signed-up accounts: active or pending_approval' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l template-customer -d 'Customer whose values seed every self-signed-up account, or `none`' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l access -d 'The whole set of sections customers see, comma separated ("" for none)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l show -d 'Show a section to customers (repeatable)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l hide -d 'Hide a section from customers (repeatable)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l cdr-columns -d 'CDR columns shown to customers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l carrier-cdr-columns -d 'CDR columns shown to carriers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l breakout-columns -d 'Breakout columns shown to customers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l carrier-breakout-columns -d 'Breakout columns shown to carriers, in order' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l custom-js -d 'Custom JavaScript, or <script src="https://..."> tags' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l custom-js-file -d 'Read the custom JavaScript from a file ("-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l custom-css -d 'Custom CSS (e.g. overriding --portico-accent)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l custom-css-file -d 'Read the custom CSS from a file ("-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l logo -d 'Logo: a file of the public file store (see `portico file put`), or `none`' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l footer -d 'Plain text at the bottom of every page' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l smtp-host -d 'SMTP server host name (any --smtp-* flag sets SMTP)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l smtp-port -d 'SMTP server port (default 587)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l smtp-security -d 'SMTP connection security: starttls, tls or none' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l smtp-username -d 'SMTP user name for AUTH' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l smtp-password -d 'SMTP password (visible to other local users; prefer --smtp-password-file)' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l smtp-password-file -d 'Read the SMTP password from a file (first line; "-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l smtp-from -d 'The From address of mails sent for the brand' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l no-smtp -d 'Remove the SMTP settings'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from status" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from status" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from check" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from check" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from cert" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from cert" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from cert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from cert" -f -a "upload" -d 'Serve an uploaded certificate (PEM chain and key) for a domain instead of ACME'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from cert" -f -a "rm" -d 'Remove a domain\'s uploaded certificate (back to automatic certificates)'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from cert" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from smtp-test" -l to -d 'The address to send the test mail to' -r
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from smtp-test" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from smtp-test" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from smtp-test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show every setting of one domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change settings of a domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a domain'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the HTTPS state of every domain, or of one: DNS check, certificate, orders'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check a domain\'s DNS now (CNAME to [tls] cname_target, CAA) and order at once if it passes'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "cert" -d 'Certificates uploaded instead of ACME'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "smtp-test" -d 'Send a test mail through a domain\'s SMTP settings'
complete -c portico -n "__fish_portico_using_subcommand domain; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand file; and not __fish_seen_subcommand_from put list rm help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand file; and not __fish_seen_subcommand_from put list rm help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand file; and not __fish_seen_subcommand_from put list rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand file; and not __fish_seen_subcommand_from put list rm help" -f -a "put" -d 'Store a file in the public file store (replaces a file of the same name)'
complete -c portico -n "__fish_portico_using_subcommand file; and not __fish_seen_subcommand_from put list rm help" -f -a "list" -d 'List the public file store'
complete -c portico -n "__fish_portico_using_subcommand file; and not __fish_seen_subcommand_from put list rm help" -f -a "rm" -d 'Remove a file (refused while a domain uses it as its logo)'
complete -c portico -n "__fish_portico_using_subcommand file; and not __fish_seen_subcommand_from put list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from put" -l name -d 'Name in the store (letters, digits, \'.\', \'_\', \'-\'); default: the file\'s name' -r
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from put" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from put" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from list" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from list" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from help" -f -a "put" -d 'Store a file in the public file store (replaces a file of the same name)'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the public file store'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a file (refused while a domain uses it as its logo)'
complete -c portico -n "__fish_portico_using_subcommand file; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "list" -d 'List customers'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "show" -d 'Show a customer with its balance, contacts, routes, payments, alerts, packages and contracts'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "balance" -d 'Show a customer\'s balance: completed payments - charges, debit limit, what is left'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "add" -d 'Add a customer or carrier'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "set" -d 'Change a customer\'s fields'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "rm" -d 'Remove a customer and everything that belongs to it'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "approve" -d 'Approve a customer that is pending approval'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "override" -d 'Show or hide one portal section for one customer, or follow the domain again'
complete -c portico -n "__fish_portico_using_subcommand customer; and not __fish_seen_subcommand_from list show balance add set rm approve override help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from list" -l status -d 'Only customers with this status: active, pending_approval or suspended' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from list" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from list" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from show" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from show" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from balance" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from balance" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from balance" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l name -d 'Company or person name' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l currency -d 'ISO 4217 code of the account\'s currency' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l kind -d 'customer or carrier' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l status -d 'active, pending_approval or suspended' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l debit-limit -d 'How far below zero the balance may go, e.g. 50 or 12.50' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l account-codes -d 'The whole list of account codes matching its CDRs, comma separated ("" for none)' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l domain -d 'The portal domain its contacts log in on, or `none`' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l name -d 'Company or person name' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l currency -d 'ISO 4217 code of the account\'s currency' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l kind -d 'customer or carrier' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l status -d 'active, pending_approval or suspended' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l debit-limit -d 'How far below zero the balance may go, e.g. 50 or 12.50' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l account-codes -d 'The whole list of account codes matching its CDRs, comma separated ("" for none)' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l domain -d 'The portal domain its contacts log in on, or `none`' -r
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from approve" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from approve" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from override" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from override" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from override" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "list" -d 'List customers'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a customer with its balance, contacts, routes, payments, alerts, packages and contracts'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "balance" -d 'Show a customer\'s balance: completed payments - charges, debit limit, what is left'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a customer or carrier'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change a customer\'s fields'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a customer and everything that belongs to it'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Approve a customer that is pending approval'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "override" -d 'Show or hide one portal section for one customer, or follow the domain again'
complete -c portico -n "__fish_portico_using_subcommand customer; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand contact; and not __fish_seen_subcommand_from add reset-password rm help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand contact; and not __fish_seen_subcommand_from add reset-password rm help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand contact; and not __fish_seen_subcommand_from add reset-password rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand contact; and not __fish_seen_subcommand_from add reset-password rm help" -f -a "add" -d 'Add a portal login to a customer'
complete -c portico -n "__fish_portico_using_subcommand contact; and not __fish_seen_subcommand_from add reset-password rm help" -f -a "reset-password" -d 'Set a contact\'s password, or generate a new one and print it once'
complete -c portico -n "__fish_portico_using_subcommand contact; and not __fish_seen_subcommand_from add reset-password rm help" -f -a "rm" -d 'Remove a contact'
complete -c portico -n "__fish_portico_using_subcommand contact; and not __fish_seen_subcommand_from add reset-password rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -l email -d 'Login e-mail address' -r
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -l name -d 'Display name' -r
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -l password -d 'The password (visible to other local users; prefer --password-file)' -r
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -l password-file -d 'Read the password from a file (first line; "-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -l ip-allow -d 'Networks it may log in from (addresses or CIDR), comma separated; default anywhere' -r
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from reset-password" -l password -d 'The password (visible to other local users; prefer --password-file)' -r
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from reset-password" -l password-file -d 'Read the password from a file (first line; "-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from reset-password" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from reset-password" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from reset-password" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a portal login to a customer'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "reset-password" -d 'Set a contact\'s password, or generate a new one and print it once'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a contact'
complete -c portico -n "__fish_portico_using_subcommand contact; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -f -a "import" -d 'Import rates from a CSV file, creating the card when new'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -f -a "list" -d 'List rate cards'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -f -a "show" -d 'Show a rate card with its rates'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -f -a "rm" -d 'Remove a rate card (refused while a route uses it)'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and not __fish_seen_subcommand_from import list show rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from import" -l currency -d 'ISO 4217 code of the rates' -r
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from import" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from import" -l replace -d 'Drop every stored rate of the card first'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from import" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from list" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from list" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from show" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from show" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import rates from a CSV file, creating the card when new'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from help" -f -a "list" -d 'List rate cards'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a rate card with its rates'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a rate card (refused while a route uses it)'
complete -c portico -n "__fish_portico_using_subcommand ratecard; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand route; and not __fish_seen_subcommand_from add rm help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand route; and not __fish_seen_subcommand_from add rm help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand route; and not __fish_seen_subcommand_from add rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand route; and not __fish_seen_subcommand_from add rm help" -f -a "add" -d 'Assign a rate card to a customer'
complete -c portico -n "__fish_portico_using_subcommand route; and not __fish_seen_subcommand_from add rm help" -f -a "rm" -d 'Remove a rate card assignment'
complete -c portico -n "__fish_portico_using_subcommand route; and not __fish_seen_subcommand_from add rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from add" -l tech-prefix -d 'Digits stripped from the dialled number before rating' -r
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "add" -d 'Assign a rate card to a customer'
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a rate card assignment'
complete -c portico -n "__fish_portico_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand payment; and not __fish_seen_subcommand_from add list status help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand payment; and not __fish_seen_subcommand_from add list status help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand payment; and not __fish_seen_subcommand_from add list status help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand payment; and not __fish_seen_subcommand_from add list status help" -f -a "add" -d 'Record a payment'
complete -c portico -n "__fish_portico_using_subcommand payment; and not __fish_seen_subcommand_from add list status help" -f -a "list" -d 'List a customer\'s payments, newest first'
complete -c portico -n "__fish_portico_using_subcommand payment; and not __fish_seen_subcommand_from add list status help" -f -a "status" -d 'Change a payment\'s status'
complete -c portico -n "__fish_portico_using_subcommand payment; and not __fish_seen_subcommand_from add list status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from add" -l status -d 'pending, completed (default) or cancelled' -r
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from add" -l description -d 'Free text; text after \'#\' is for admins only' -r
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from list" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from list" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from status" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from status" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from help" -f -a "add" -d 'Record a payment'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from help" -f -a "list" -d 'List a customer\'s payments, newest first'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from help" -f -a "status" -d 'Change a payment\'s status'
complete -c portico -n "__fish_portico_using_subcommand payment; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand alert; and not __fish_seen_subcommand_from add rm help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand alert; and not __fish_seen_subcommand_from add rm help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand alert; and not __fish_seen_subcommand_from add rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand alert; and not __fish_seen_subcommand_from add rm help" -f -a "add" -d 'Add a low-balance alert'
complete -c portico -n "__fish_portico_using_subcommand alert; and not __fish_seen_subcommand_from add rm help" -f -a "rm" -d 'Remove an alert'
complete -c portico -n "__fish_portico_using_subcommand alert; and not __fish_seen_subcommand_from add rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from add" -l threshold -d 'The balance below which the alert fires, e.g. 10.00' -r
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from add" -l email -d 'Where the alert is mailed' -r
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a low-balance alert'
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove an alert'
complete -c portico -n "__fish_portico_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand package; and not __fish_seen_subcommand_from add rm help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand package; and not __fish_seen_subcommand_from add rm help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand package; and not __fish_seen_subcommand_from add rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand package; and not __fish_seen_subcommand_from add rm help" -f -a "add" -d 'Add a package'
complete -c portico -n "__fish_portico_using_subcommand package; and not __fish_seen_subcommand_from add rm help" -f -a "rm" -d 'Remove a package'
complete -c portico -n "__fish_portico_using_subcommand package; and not __fish_seen_subcommand_from add rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from add" -l name -d 'Name' -r
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from add" -l price -d 'Monthly price, e.g. 9.99' -r
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from add" -l description -d 'Description' -r
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a package'
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a package'
complete -c portico -n "__fish_portico_using_subcommand package; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand contract; and not __fish_seen_subcommand_from add rm help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand contract; and not __fish_seen_subcommand_from add rm help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand contract; and not __fish_seen_subcommand_from add rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand contract; and not __fish_seen_subcommand_from add rm help" -f -a "add" -d 'Add a contract'
complete -c portico -n "__fish_portico_using_subcommand contract; and not __fish_seen_subcommand_from add rm help" -f -a "rm" -d 'Remove a contract'
complete -c portico -n "__fish_portico_using_subcommand contract; and not __fish_seen_subcommand_from add rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from add" -l name -d 'Name' -r
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from add" -l text -d 'The contract\'s text' -r
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from add" -l text-file -d 'Read the contract\'s text from a file ("-" for stdin)' -r -F
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from add" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from add" -l required -d 'The customer must approve it before using the portal'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from add" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from rm" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from rm" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a contract'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a contract'
complete -c portico -n "__fish_portico_using_subcommand contract; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -f -a "import" -d 'Import CDR files, sent to the daemon in chunks of whole lines'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -f -a "list" -d 'List a customer\'s CDRs (or the unassigned ones), newest first'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -f -a "unassigned" -d 'Show the unassigned CDRs grouped by account code'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -f -a "assign" -d 'Assign the unassigned CDRs of an account code to a customer (and rate them)'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -f -a "quarantine" -d 'Show quarantined lines and documents, newest first'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -f -a "status" -d 'Show the ingest counters: CDRs stored, unassigned, unrated, quarantined'
complete -c portico -n "__fish_portico_using_subcommand cdr; and not __fish_seen_subcommand_from import list unassigned assign quarantine status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from import" -l format -d 'The files\' format' -r -f -a "asterisk-csv\t''
freeswitch-csv\t''
freeswitch-json\t''
generic-csv\t''"
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from import" -l time-zone -d 'IANA time zone of times written without an offset (e.g. Europe/Paris); default UTC' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from import" -l mapping -d 'generic-csv: which file column holds each Portico field, e.g. call_id=uuid,source=caller' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from import" -l source -d 'Name the lines\' origin in quarantine entries (default: the file\'s path); one FILE only' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from import" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from import" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l from -d 'Calls that started at or after DATE' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l to -d 'Calls that started before DATE (exclusive)' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l search -d 'Only calls whose source or destination number contains DIGITS' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l limit -d 'CDRs per page, 1 to 1000 (default 100; with --all, 1000)' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l after -d 'Continue after this cursor (printed as `more: --after CURSOR`)' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l connected -d 'Only connected (answered) calls'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l all -d 'Follow the pages to the end'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l csv -d 'Write CSV with every field, for scripts'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from unassigned" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from unassigned" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from unassigned" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from assign" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from assign" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from assign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from quarantine" -l limit -d 'How many entries to show' -r
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from quarantine" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from quarantine" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from quarantine" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from status" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from status" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import CDR files, sent to the daemon in chunks of whole lines'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from help" -f -a "list" -d 'List a customer\'s CDRs (or the unassigned ones), newest first'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from help" -f -a "unassigned" -d 'Show the unassigned CDRs grouped by account code'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from help" -f -a "assign" -d 'Assign the unassigned CDRs of an account code to a customer (and rate them)'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from help" -f -a "quarantine" -d 'Show quarantined lines and documents, newest first'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the ingest counters: CDRs stored, unassigned, unrated, quarantined'
complete -c portico -n "__fish_portico_using_subcommand cdr; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand report; and not __fish_seen_subcommand_from breakout summary help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand report; and not __fish_seen_subcommand_from breakout summary help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand report; and not __fish_seen_subcommand_from breakout summary help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand report; and not __fish_seen_subcommand_from breakout summary help" -f -a "breakout" -d 'Per destination: attempts, connected, ASR, ACD, minutes, billed minutes, charge'
complete -c portico -n "__fish_portico_using_subcommand report; and not __fish_seen_subcommand_from breakout summary help" -f -a "summary" -d 'Per UTC day and per month: attempts, connected, ASR, ACD, minutes, charge'
complete -c portico -n "__fish_portico_using_subcommand report; and not __fish_seen_subcommand_from breakout summary help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from breakout" -l from -d 'From DATE (rounded down to its UTC day)' -r
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from breakout" -l to -d 'To DATE, exclusive (rounded up to a UTC day)' -r
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from breakout" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from breakout" -l per-day -d 'One row per UTC day and destination'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from breakout" -l csv -d 'Write CSV, for scripts'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from breakout" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from breakout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from summary" -l from -d 'From DATE (rounded down to its UTC day)' -r
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from summary" -l to -d 'To DATE, exclusive (rounded up to a UTC day)' -r
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from summary" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from summary" -l csv -d 'Write CSV, for scripts (a `period` column says day or month)'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from summary" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from summary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "breakout" -d 'Per destination: attempts, connected, ASR, ACD, minutes, billed minutes, charge'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "summary" -d 'Per UTC day and per month: attempts, connected, ASR, ACD, minutes, charge'
complete -c portico -n "__fish_portico_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand audit" -l limit -d 'How many entries to show, newest first' -r
complete -c portico -n "__fish_portico_using_subcommand audit" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand audit" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ca; and not __fish_seen_subcommand_from export help" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand ca; and not __fish_seen_subcommand_from export help" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand ca; and not __fish_seen_subcommand_from export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ca; and not __fish_seen_subcommand_from export help" -f -a "export" -d 'Print the local CA\'s root certificate (PEM) for browsers and clients to trust'
complete -c portico -n "__fish_portico_using_subcommand ca; and not __fish_seen_subcommand_from export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand ca; and __fish_seen_subcommand_from export" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand ca; and __fish_seen_subcommand_from export" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand ca; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print the local CA\'s root certificate (PEM) for browsers and clients to trust'
complete -c portico -n "__fish_portico_using_subcommand ca; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand export" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand export" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand backup" -l socket -d 'Path of porticod\'s admin socket' -r -F
complete -c portico -n "__fish_portico_using_subcommand backup" -l json -d 'Print the result as pretty JSON of the protocol\'s types'
complete -c portico -n "__fish_portico_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "version" -d 'Show the versions of this portico and of the daemon'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "domain" -d 'Portal domains (one brand on one FQDN)'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "file" -d 'The public file store (logos and other public files)'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "customer" -d 'Customers and carriers'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "contact" -d 'Portal logins of customers'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "ratecard" -d 'Rate cards'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "route" -d 'Rate card assignments of customers'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "payment" -d 'Payments of customers'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "alert" -d 'Low-balance alerts'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "package" -d 'Packages sold to customers'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "contract" -d 'Contracts customers read and approve'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "cdr" -d 'Call detail records: import, list, assign, quarantine'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "report" -d 'Reports on a customer\'s calls: breakout and summaries'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "audit" -d 'Show the newest entries of the audit log'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "ca" -d 'The local certificate authority (--dev and air-gapped installs)'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "export" -d 'Print the daemon\'s full export as JSON (secrets only as hashes)'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "backup" -d 'Write a consistent copy of the daemon\'s store to FILE while it runs'
complete -c portico -n "__fish_portico_using_subcommand help; and not __fish_seen_subcommand_from version domain file customer contact ratecard route payment alert package contract cdr report audit ca export backup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "list" -d 'List every domain'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "show" -d 'Show every setting of one domain'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "add" -d 'Add a domain'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "set" -d 'Change settings of a domain'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "rm" -d 'Remove a domain'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "status" -d 'Show the HTTPS state of every domain, or of one: DNS check, certificate, orders'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "check" -d 'Check a domain\'s DNS now (CNAME to [tls] cname_target, CAA) and order at once if it passes'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "cert" -d 'Certificates uploaded instead of ACME'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from domain" -f -a "smtp-test" -d 'Send a test mail through a domain\'s SMTP settings'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from file" -f -a "put" -d 'Store a file in the public file store (replaces a file of the same name)'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from file" -f -a "list" -d 'List the public file store'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from file" -f -a "rm" -d 'Remove a file (refused while a domain uses it as its logo)'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "list" -d 'List customers'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "show" -d 'Show a customer with its balance, contacts, routes, payments, alerts, packages and contracts'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "balance" -d 'Show a customer\'s balance: completed payments - charges, debit limit, what is left'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "add" -d 'Add a customer or carrier'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "set" -d 'Change a customer\'s fields'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "rm" -d 'Remove a customer and everything that belongs to it'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "approve" -d 'Approve a customer that is pending approval'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from customer" -f -a "override" -d 'Show or hide one portal section for one customer, or follow the domain again'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from contact" -f -a "add" -d 'Add a portal login to a customer'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from contact" -f -a "reset-password" -d 'Set a contact\'s password, or generate a new one and print it once'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from contact" -f -a "rm" -d 'Remove a contact'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from ratecard" -f -a "import" -d 'Import rates from a CSV file, creating the card when new'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from ratecard" -f -a "list" -d 'List rate cards'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from ratecard" -f -a "show" -d 'Show a rate card with its rates'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from ratecard" -f -a "rm" -d 'Remove a rate card (refused while a route uses it)'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "add" -d 'Assign a rate card to a customer'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "rm" -d 'Remove a rate card assignment'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from payment" -f -a "add" -d 'Record a payment'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from payment" -f -a "list" -d 'List a customer\'s payments, newest first'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from payment" -f -a "status" -d 'Change a payment\'s status'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "add" -d 'Add a low-balance alert'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "rm" -d 'Remove an alert'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from package" -f -a "add" -d 'Add a package'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from package" -f -a "rm" -d 'Remove a package'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "add" -d 'Add a contract'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from contract" -f -a "rm" -d 'Remove a contract'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from cdr" -f -a "import" -d 'Import CDR files, sent to the daemon in chunks of whole lines'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from cdr" -f -a "list" -d 'List a customer\'s CDRs (or the unassigned ones), newest first'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from cdr" -f -a "unassigned" -d 'Show the unassigned CDRs grouped by account code'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from cdr" -f -a "assign" -d 'Assign the unassigned CDRs of an account code to a customer (and rate them)'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from cdr" -f -a "quarantine" -d 'Show quarantined lines and documents, newest first'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from cdr" -f -a "status" -d 'Show the ingest counters: CDRs stored, unassigned, unrated, quarantined'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "breakout" -d 'Per destination: attempts, connected, ASR, ACD, minutes, billed minutes, charge'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "summary" -d 'Per UTC day and per month: attempts, connected, ASR, ACD, minutes, charge'
complete -c portico -n "__fish_portico_using_subcommand help; and __fish_seen_subcommand_from ca" -f -a "export" -d 'Print the local CA\'s root certificate (PEM) for browsers and clients to trust'
