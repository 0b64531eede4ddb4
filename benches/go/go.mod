module ringpool-benches/gopool

go 1.19
