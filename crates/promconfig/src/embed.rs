//! Prometheus writes the HTTP client fields inline in scrape configs and Alertmanager
//! configs, next to each section's own fields, and serde cannot flatten them into a struct
//! that also denies unknown fields. This macro declares such a struct with the fields
//! appended, so the field list exists once (here) and typos stay errors everywhere.

/// Declares `struct` with its own fields followed by every `http_config` field, and a
/// `http_client_config()` method that gathers them into a [`crate::HttpClientConfig`].
/// The struct must derive `serde::Deserialize`; the HTTP fields implement `Debug`, `Clone`
/// and `PartialEq` for structs that derive those.
#[macro_export]
macro_rules! struct_with_http_client_fields {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field : $ty, )*
            pub basic_auth: Option<$crate::http::BasicAuth>,
            pub authorization: Option<$crate::http::Authorization>,
            pub oauth2: Option<$crate::http::OAuth2>,
            pub bearer_token: Option<$crate::Secret>,
            pub bearer_token_file: Option<String>,
            #[serde(default)]
            pub tls_config: $crate::http::TlsConfig,
            #[serde(default = "promconfig::http::default_true")]
            pub follow_redirects: bool,
            #[serde(default = "promconfig::http::default_true")]
            pub enable_http2: bool,
            pub proxy_url: Option<String>,
            pub no_proxy: Option<String>,
            #[serde(default)]
            pub proxy_from_environment: bool,
            #[serde(default)]
            pub proxy_connect_header: std::collections::BTreeMap<String, Vec<$crate::Secret>>,
            #[serde(default)]
            pub http_headers: std::collections::BTreeMap<String, $crate::http::Header>,
        }

        impl $name {
            /// The HTTP client fields as one `http_config` block.
            pub fn http_client_config(&self) -> $crate::HttpClientConfig {
                $crate::HttpClientConfig {
                    basic_auth: self.basic_auth.clone(),
                    authorization: self.authorization.clone(),
                    oauth2: self.oauth2.clone(),
                    bearer_token: self.bearer_token.clone(),
                    bearer_token_file: self.bearer_token_file.clone(),
                    tls_config: self.tls_config.clone(),
                    follow_redirects: self.follow_redirects,
                    enable_http2: self.enable_http2,
                    proxy_url: self.proxy_url.clone(),
                    no_proxy: self.no_proxy.clone(),
                    proxy_from_environment: self.proxy_from_environment,
                    proxy_connect_header: self.proxy_connect_header.clone(),
                    http_headers: self.http_headers.clone(),
                }
            }
        }
    };
}

/// Like [`struct_with_http_client_fields!`], plus the service discoveries: `static_configs`
/// and `file_sd_configs` (typed, what Vigil runs), and every other discovery Prometheus knows
/// (`kubernetes_sd_configs`, `consul_sd_configs`, …), which loads (as `Option<IgnoredAny>`) so
/// an existing file keeps working, with `unsupported_discoveries()` naming the ones present so
/// the loader can warn.
#[macro_export]
macro_rules! struct_with_discovery_and_http_client_fields {
    (
        @sd [$($sd:ident)*]
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $crate::struct_with_http_client_fields! {
            $(#[$meta])*
            $vis struct $name {
                $( $(#[$fmeta])* $fvis $field : $ty, )*
                #[serde(default)]
                pub static_configs: Vec<$crate::discovery::StaticConfig>,
                #[serde(default)]
                pub file_sd_configs: Vec<$crate::discovery::FileSdConfig>,
                $( pub $sd: Option<serde::de::IgnoredAny>, )*
            }
        }

        impl $name {
            /// The service discoveries present in the config that Vigil does not run.
            pub fn unsupported_discoveries(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $( if self.$sd.is_some() { out.push(stringify!($sd)); } )*
                out
            }
        }
    };
    ($($body:tt)*) => {
        $crate::struct_with_discovery_and_http_client_fields! {
            @sd [
                azure_sd_configs consul_sd_configs digitalocean_sd_configs docker_sd_configs dockerswarm_sd_configs dns_sd_configs ec2_sd_configs eureka_sd_configs gce_sd_configs hetzner_sd_configs http_sd_configs ionos_sd_configs kubernetes_sd_configs kuma_sd_configs lightsail_sd_configs linode_sd_configs marathon_sd_configs nerve_sd_configs nomad_sd_configs openstack_sd_configs ovhcloud_sd_configs puppetdb_sd_configs scaleway_sd_configs serverset_sd_configs triton_sd_configs uyuni_sd_configs vultr_sd_configs
            ]
            $($body)*
        }
    };
}
