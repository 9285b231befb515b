{{/* Labels of one component's objects and pods; the selector labels are the first two. */}}
{{- define "herald.selector" -}}
app.kubernetes.io/name: herald
app.kubernetes.io/component: {{ . }}
{{- end }}

{{- define "herald.labels" -}}
{{ include "herald.selector" .component }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "herald.image" -}}
{{ .root.Values.image.registry }}/herald-{{ .component }}:{{ .root.Values.image.tag }}
{{- end }}

{{/* A component's pod labels: the selector's, then commonLabels and the component's podLabels (these win). */}}
{{- define "herald.podLabels" -}}
{{ include "herald.selector" .component }}
{{- with merge (dict) (.values.podLabels | default dict) .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}
