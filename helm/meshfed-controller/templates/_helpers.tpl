{{/* Chart name, overridable. */}}
{{- define "meshfed-controller.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name: the release name alone when it already contains the chart name. */}}
{{- define "meshfed-controller.fullname" -}}
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

{{/* Base of the etcd names, short enough for "<base>-headless" to stay a DNS label. */}}
{{- define "meshfed-controller.etcdName" -}}
{{- printf "%s-etcd" (include "meshfed-controller.fullname" . | trunc 40 | trimSuffix "-") -}}
{{- end -}}

{{- define "meshfed-controller.etcdHeadless" -}}
{{- printf "%s-headless" (include "meshfed-controller.etcdName" .) -}}
{{- end -}}

{{/*
Labels that select one component's pods. Never add the version here: selectors are immutable.
Call with (dict "ctx" $ "component" "controller").
*/}}
{{- define "meshfed-controller.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshfed-controller.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every object's labels: the standard app.kubernetes.io set plus commonLabels. */}}
{{- define "meshfed-controller.labels" -}}
{{ include "meshfed-controller.selectorLabels" . }}
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
{{- define "meshfed-controller.metadata" -}}
metadata:
  name: {{ .name }}
  {{- if not .cluster }}
  namespace: {{ .namespace | default .ctx.Release.Namespace }}
  {{- end }}
  labels:
    {{- include "meshfed-controller.labels" . | nindent 4 }}
  {{- $annotations := merge (dict) (.annotations | default dict) .ctx.Values.commonAnnotations }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "meshfed-controller.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "meshfed-controller.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "meshfed-controller.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Secret names, defaulting to <fullname>-<suffix>. Call with (list $ .Values.tls.serverSecret "server-tls"). */}}
{{- define "meshfed-controller.secretName" -}}
{{- $ctx := index . 0 -}}
{{- default (printf "%s-%s" (include "meshfed-controller.fullname" $ctx) (index . 2)) (index . 1) -}}
{{- end -}}

{{/* The etcd endpoints the controller uses: the bundled members, or etcd.endpoints. */}}
{{- define "meshfed-controller.etcdEndpoints" -}}
{{- if .Values.etcd.bundled.enabled -}}
{{- $eps := list -}}
{{- range $i := until (int .Values.etcd.bundled.replicas) -}}
{{- $eps = append $eps (printf "https://%s-%d.%s.%s.svc.%s:2379" (include "meshfed-controller.etcdName" $) $i (include "meshfed-controller.etcdHeadless" $) $.Release.Namespace $.Values.etcd.bundled.clusterDomain) -}}
{{- end -}}
{{- join "," $eps -}}
{{- else -}}
{{- if not .Values.etcd.endpoints -}}
{{- fail "etcd.endpoints: at least one https:// endpoint is required unless etcd.bundled.enabled is true" -}}
{{- end -}}
{{- join "," .Values.etcd.endpoints -}}
{{- end -}}
{{- end -}}

{{/* Restricted pod securityContext (Pod Security Standards "restricted"); not configurable. */}}
{{- define "meshfed-controller.podSecurityContext" -}}
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
{{- define "meshfed-controller.containerSecurityContext" -}}
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
