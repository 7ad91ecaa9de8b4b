{{/*
Names. Every object is "<release>-runnel-<role>" unless the release name
already contains the chart name; fullnameOverride replaces it whole.
*/}}
{{- define "runnel.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "runnel.controllerName" -}}{{ include "runnel.fullname" . }}-controller{{- end -}}
{{- define "runnel.brokerName" -}}{{ include "runnel.fullname" . }}-broker{{- end -}}
{{- define "runnel.gatewayName" -}}{{ include "runnel.fullname" . }}-gateway{{- end -}}

{{- define "runnel.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one role; call with (dict "root" $ "role" "broker"). */}}
{{- define "runnel.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "runnel.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* DNS suffix of a role's headless Service: "<service>.<namespace>.svc.cluster.local". */}}
{{- define "runnel.controllerDomain" -}}
{{ include "runnel.controllerName" . }}.{{ .Release.Namespace }}.svc.{{ .Values.clusterDomain }}
{{- end -}}
{{- define "runnel.brokerDomain" -}}
{{ include "runnel.brokerName" . }}.{{ .Release.Namespace }}.svc.{{ .Values.clusterDomain }}
{{- end -}}

{{/*
The static voter set: controller pod N is node id N+1 at its stable pod DNS
name, which the headless Service publishes even before the pod is ready
(a quorum cannot become ready without its peers' addresses).
*/}}
{{- define "runnel.voters" -}}
{{- $name := include "runnel.controllerName" . -}}
{{- $domain := include "runnel.controllerDomain" . -}}
{{- $voters := list -}}
{{- range $i := until (int .Values.controller.replicas) -}}
{{- $voters = append $voters (printf "%d@%s-%d.%s:%d" (add $i 1) $name $i $domain (int $.Values.controller.ports.raft)) -}}
{{- end -}}
{{- join "," $voters -}}
{{- end -}}

{{/* The controllers' broker-facing ControllerService addresses. */}}
{{- define "runnel.controllerServices" -}}
{{- $name := include "runnel.controllerName" . -}}
{{- $domain := include "runnel.controllerDomain" . -}}
{{- $addresses := list -}}
{{- range $i := until (int .Values.controller.replicas) -}}
{{- $addresses = append $addresses (printf "%s-%d.%s:%d" $name $i $domain (int $.Values.controller.ports.service)) -}}
{{- end -}}
{{- join "," $addresses -}}
{{- end -}}

{{- define "runnel.replicationFactor" -}}
{{- if .Values.cluster.defaultReplicationFactor -}}
{{- .Values.cluster.defaultReplicationFactor -}}
{{- else -}}
{{- min 3 (int .Values.broker.replicas) -}}
{{- end -}}
{{- end -}}

{{- define "runnel.minInsyncReplicas" -}}
{{- if .Values.cluster.minInsyncReplicas -}}
{{- .Values.cluster.minInsyncReplicas -}}
{{- else -}}
{{- max 1 (sub (int (include "runnel.replicationFactor" .)) 1) -}}
{{- end -}}
{{- end -}}

{{/* Whether brokers look their rack up from a node label (and so need RBAC). */}}
{{- define "runnel.rackFromNode" -}}
{{- if .Values.broker.rack.nodeLabel -}}true{{- end -}}
{{- end -}}
