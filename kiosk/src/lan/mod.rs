//! LAN service: the staff API, staff page, phone status page and event stream.
