package keyring

import "runtime"

func runtimeNeedsBus() bool { return runtime.GOOS != "darwin" && runtime.GOOS != "windows" }
