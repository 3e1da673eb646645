//! Shared inputs of the fuzz targets: a small fixed workspace that the option targets analyze.

use pathlight::{LoadConfig, Workspace};

/// Twelve made-up people through visit, pricing, signup and purchase, with channels, revenue and
/// a daylight-saving change, so that most analyses have something to compute.
pub const EVENTS_CSV: &str = "\
user_id,event,timestamp,channel,device,revenue
u1,visit,2024-03-30 09:00:00,email,desktop,
u1,pricing,2024-03-30 09:05:00,email,desktop,
u1,signup,2024-03-31 02:30:00,email,desktop,
u1,purchase,2024-04-02 10:00:00,email,desktop,49.5
u2,visit,2024-03-30 10:00:00,search,mobile,
u2,pricing,2024-03-30 10:01:00,search,mobile,
u3,visit,2024-03-29 08:00:00,social,mobile,
u3,visit,2024-04-05 08:00:00,social,mobile,
u3,signup,2024-04-05 08:10:00,social,mobile,
u4,visit,2024-03-28 12:00:00,email,desktop,
u4,pricing,2024-03-28 12:03:00,email,desktop,
u4,signup,2024-03-28 12:09:00,email,desktop,
u4,purchase,2024-03-28 12:30:00,email,desktop,120
u4,purchase,2024-04-20 12:30:00,email,desktop,80
u5,visit,2024-04-01 07:00:00,search,tablet,
u6,visit,2024-04-01 07:30:00,direct,desktop,
u6,pricing,2024-04-01 07:31:00,direct,desktop,
u6,support_ticket,2024-04-01 07:40:00,direct,desktop,
u7,visit,2024-04-02 18:00:00,email,mobile,
u7,signup,2024-04-02 18:20:00,email,mobile,
u7,purchase,2024-04-03 09:00:00,email,mobile,15
u8,visit,2024-04-03 11:00:00,social,desktop,
u9,visit,2024-04-04 11:00:00,search,desktop,
u9,pricing,2024-04-04 11:02:00,search,desktop,
u9,signup,2024-04-04 11:06:00,search,desktop,
u10,visit,2024-04-06 15:00:00,direct,mobile,
u10,purchase,2024-04-06 15:30:00,direct,mobile,22
u11,visit,2024-04-07 09:00:00,email,desktop,
u11,unsubscribe,2024-04-07 09:10:00,email,desktop,
u12,visit,2024-04-08 21:00:00,search,mobile,
u12,pricing,2024-04-08 21:05:00,search,mobile,
u12,signup,2024-04-09 08:00:00,search,mobile,
u12,purchase,2024-04-10 08:00:00,search,mobile,60
";

/// One row per customer with outcome flags, the shape of an experiment or campaign export.
pub const OUTCOME_CSV: &str = "\
customer_id,segment,opened,clicked,purchased,revenue
c1,treatment,1,1,1,20.5
c2,control,1,0,0,0
c3,treatment,0,0,0,
c4,control,1,1,1,12
c5,treatment,1,1,0,0
c6,control,0,0,0,0
";

/// Adds both embedded files to `workspace` and returns their indexes.
pub fn add_embedded_files(workspace: &mut Workspace) -> (usize, usize) {
    let events = workspace.add_file("events.csv", EVENTS_CSV.as_bytes().to_vec());
    let outcomes = workspace.add_file("outcomes.csv", OUTCOME_CSV.as_bytes().to_vec());
    (events, outcomes)
}

/// Returns a workspace with [`EVENTS_CSV`] loaded with its proposed mapping, built once per
/// thread. The workspace keeps its last results in a `RefCell`, so it cannot be shared between
/// threads; libFuzzer runs each input on the same thread.
pub fn loaded_workspace() -> &'static Workspace {
    thread_local! {
        static WORKSPACE: &'static Workspace = Box::leak(Box::new(load_embedded_events()));
    }
    WORKSPACE.with(|workspace| *workspace)
}

fn load_embedded_events() -> Workspace {
    let mut workspace = Workspace::new();
    let index = workspace.add_file("events.csv", EVENTS_CSV.as_bytes().to_vec());
    let inspection = workspace.inspect(index, None).expect("the embedded events file inspects");
    let config = LoadConfig::from_inspections(&[inspection]);
    workspace.load(&config).expect("the embedded events file loads");
    workspace
}

/// Splits `data` at its first zero bytes into at most `count` parts. Missing parts are empty.
pub fn split_parts(data: &[u8], count: usize) -> Vec<&[u8]> {
    let mut parts: Vec<&[u8]> = data.splitn(count, |&byte| byte == 0).collect();
    parts.resize(count, &[]);
    parts
}
