// Package deployments holds what installs Tandem as a service: the systemd unit
// (systemd/tandem.service), its system user (systemd/tandem.sysusers) and a commented example
// configuration (tandem.example.yaml). It has no code; its tests check that the unit keeps
// its hardening score and its settings, and that the example configuration is valid and
// covers every key of the config package.
package deployments
