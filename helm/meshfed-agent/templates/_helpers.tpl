{{/* Chart name, overridable. */}}
{{- define "meshfed-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name: the release name alone when it already contains the chart name. */}}
{{- define "meshfed-agent.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The etcd proxy's Deployment and Service. */}}
{{- define "meshfed-agent.etcdProxyName" -}}
{{- printf "%s-etcd-proxy" (include "meshfed-agent.fullname" . | trunc 52 | trimSuffix "-") -}}
{{- end -}}

{{/*
Labels that select one component's pods. Never add the version here: selectors are immutable.
Call with (dict "ctx" $ "component" "controller").
*/}}
{{- define "meshfed-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshfed-agent.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every object's labels: the standard app.kubernetes.io set plus commonLabels. */}}
{{- define "meshfed-agent.labels" -}}
{{ include "meshfed-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: meshfed
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
metadata: name, namespace (the release's, or "namespace"; none when "cluster" is true), labels and
annotations for one object.
Call with (dict "ctx" $ "component" "controller" "name" "x" "annotations" (dict ...)).
*/}}
{{- define "meshfed-agent.metadata" -}}
metadata:
  name: {{ .name }}
  {{- if not .cluster }}
  namespace: {{ .namespace | default .ctx.Release.Namespace }}
  {{- end }}
  labels:
    {{- include "meshfed-agent.labels" . | nindent 4 }}
  {{- $annotations := merge (dict) (.annotations | default dict) .ctx.Values.commonAnnotations }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "meshfed-agent.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "meshfed-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "meshfed-agent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Secret names, defaulting to <fullname>-<suffix>. Call with (list $ .Values.etcdProxy.serverSecret "etcd-proxy-server"). */}}
{{- define "meshfed-agent.secretName" -}}
{{- $ctx := index . 0 -}}
{{- default (printf "%s-%s" (include "meshfed-agent.fullname" $ctx) (index . 2)) (index . 1) -}}
{{- end -}}

{{/* Restricted pod securityContext (Pod Security Standards "restricted"); not configurable. */}}
{{- define "meshfed-agent.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  fsGroup: 65532
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* Restricted container securityContext; not configurable. */}}
{{- define "meshfed-agent.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  privileged: false
  capabilities:
    drop:
      - ALL
  seccompProfile:
    type: RuntimeDefault
{{- end -}}
