"""Guest drivers of each device family, with the device models they need:
GPUs (gpu), NICs (nic), NVMe and block I/O (nvme), HD Audio (hda)."""



