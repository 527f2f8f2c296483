{{- define "meshfed-controller.controllerYaml" -}}
mesh: {{ required "mesh: the mesh name given to `meshfed bootstrap --mesh` is required" .Values.mesh | quote }}
{{- with .Values.advertiseUrl }}
advertiseUrl: {{ . | quote }}
{{- end }}
etcd:
  trustedCaFile: /etc/meshfed/etcd/ca.crt
  certFile: /etc/meshfed/etcd/tls.crt
  keyFile: /etc/meshfed/etcd/tls.key
tls:
  certFile: /etc/meshfed/tls/tls.crt
  keyFile: /etc/meshfed/tls/tls.key
  trustedCaFile: /etc/meshfed/mesh-ca/ca.crt
{{- if eq .Values.caPassphrase.mountAs "file" }}
passphraseFile: /etc/meshfed/passphrase/{{ .Values.caPassphrase.key }}
{{- end }}
workerPoolSize: {{ .Values.controller.workerPoolSize }}
{{- end -}}
