// Package config loads, expands and validates Tandem's YAML configuration
// file.
//
// # Format
//
// The file is one YAML mapping. Keys are snake_case; every key is optional
// and takes its default when omitted (or given with no value). An empty
// file, or one holding only "{}", means [Default]: data in ./tandem-data,
// API on 127.0.0.1:8080, admin on 127.0.0.1:9090, log level info, a 20s
// shutdown timeout, no connectors.
//
//	data_dir: /var/lib/tandem
//	api:
//	  listen: 127.0.0.1:8080          # host:port
//	  max_body_bytes: 10485760
//	  rate_limit: {enabled: false, requests_per_10s: 100}
//	admin:
//	  listen: 127.0.0.1:9090
//	  token: ${TANDEM_ADMIN_TOKEN}    # required unless admin.listen is loopback
//	log: {level: info, format: auto}  # debug|info|warn|error; auto|json|console
//	shutdown_timeout: 20s             # Go duration
//	connectors:
//	  - name: hubspot-main            # required, unique, [a-z0-9][a-z0-9_-]*
//	    type: hubspot                 # required
//	    schedule: "*/5 * * * *"       # 5-field cron, or @hourly, @every 5m, ...
//	    push_on_change: true
//	    options:                      # free-form, passed to the connector
//	      base_url: https://api.hubapi.com
//	      token: ${HUBSPOT_TOKEN}
//	    objects:
//	      - object: contacts          # local object, required, unique per connector
//	        remote: contacts          # default: same as object
//	        direction: both           # both | pull | push (default both)
//	        create: both              # both | pull | push | none (default: direction)
//	        match: [email]            # local fields of this object's mapping
//	        conflict: most_recent     # prefer_local | prefer_remote | most_recent | manual
//	        deletes: ignore           # ignore | archive | propagate
//	        max_delete_percent: 10    # 0..100 (default 10)
//	        fields:                   # at least one; each local field once
//	          - {local: email, remote: email}
//	          - {local: phone, remote: phone, transform: e164, direction: push}
//
// The Go doc comment of each field in [Config] and the types it holds
// documents its key. A field's direction defaults to its object's and may
// not exceed it; likewise an object's create mode.
//
// YAML anchors, aliases and "<<" merge keys may be used to share
// repeated parts.
//
// # Environment variables
//
// Any scalar value may refer to environment variables, which is how secrets
// should be supplied: ${NAME} is replaced by the variable's value, and
// ${NAME:-default} by its value or, when it is unset or empty, by default
// (which cannot contain "}"). "$${" gives a literal "${"; any other "$" is
// kept as is. Expansion happens on the parsed values, after YAML parsing,
// so a value containing YAML syntax cannot change the file's structure,
// and an expanded value is never parsed again. A reference to an unset
// variable without a default is an error that names the key and the
// variable.
//
// # Errors
//
// Decoding is strict: unknown keys, duplicate keys and values of the wrong
// type are errors. [Parse] and [Load] check everything and return all
// problems at once as an [*Errors], one per line in the form
//
//	tandem.yaml:7: connectors[1].schedule: invalid cron expression "*/5 * *": ...
//
// where list indexes count from 0. Messages never include the value of
// admin.token, of a connector option whose key contains "token", "secret",
// "password" or "key", or of any value that came from the environment.
package config
