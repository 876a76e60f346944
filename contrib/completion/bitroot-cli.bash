# bash completion for bitroot-cli: options, then RPC method names (asked
# from the running node with "help", so the list matches its version), then
# the first argument of a few methods.
_bitroot_cli_rpc() {
	local opts=() w
	for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
		case "$w" in
		-datadir=*|-conf=*|-chain=*|-rpcconnect=*|-rpcport=*|-rpcuser=*|-rpcpassword=*|-rpccookiefile=*|-regtest|-testnet|-testnet4|-signet)
			opts+=("$w") ;;
		esac
	done
	bitroot-cli "${opts[@]}" "$@" 2>/dev/null
}

_bitroot_cli() {
	local cur prev words cword i cmd=""
	_get_comp_words_by_ref -n = cur prev words cword 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		cword=$COMP_CWORD
		words=("${COMP_WORDS[@]}")
	}
	for ((i = 1; i < cword; i++)); do
		case "${words[i]}" in
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z "$cmd" ]]; then
		if [[ "$cur" == -* ]]; then
			COMPREPLY=($(compgen -W "-? -h -help -chain= -conf= -datadir= -addrinfo -generate -getinfo -netinfo -named
			    -regtest -testnet -testnet4 -signet -rpcclienttimeout= -rpcconnect=
			    -rpccookiefile= -rpcpassword= -rpcport= -rpcuser= -rpcwait
			    -rpcwaittimeout= -stdin -stdinrpcpass -version" -- "$cur"))
			[[ "${COMPREPLY[0]}" == *= ]] && compopt -o nospace 2>/dev/null
			return 0
		fi
		local methods
		methods=$(_bitroot_cli_rpc help | awk '!/^==/ && NF {print $1}')
		COMPREPLY=($(compgen -W "$methods" -- "$cur"))
		return 0
	fi
	case "$cmd" in
	help)
		COMPREPLY=($(compgen -W "$(_bitroot_cli_rpc help | awk '!/^==/ && NF {print $1}')" -- "$cur")) ;;
	addnode)
		[[ $((cword - i)) -eq 2 ]] && COMPREPLY=($(compgen -W "add remove onetry" -- "$cur")) ;;
	setban)
		[[ $((cword - i)) -eq 2 ]] && COMPREPLY=($(compgen -W "add remove" -- "$cur")) ;;
	getblock|getblockheader|getchaintxstats|getdeploymentinfo|preciousblock|invalidateblock|reconsiderblock)
		[[ $((cword - i)) -eq 1 ]] && COMPREPLY=($(compgen -W "$(_bitroot_cli_rpc getbestblockhash)" -- "$cur")) ;;
	getmemoryinfo)
		COMPREPLY=($(compgen -W "stats mallocinfo" -- "$cur")) ;;
	gettxoutsetinfo)
		[[ $((cword - i)) -eq 1 ]] && COMPREPLY=($(compgen -W "hash_serialized_3 muhash none" -- "$cur")) ;;
	scantxoutset)
		[[ $((cword - i)) -eq 1 ]] && COMPREPLY=($(compgen -W "start abort status" -- "$cur")) ;;
	esac
	return 0
}
complete -F _bitroot_cli bitroot-cli
